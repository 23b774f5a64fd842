// STAND-IN DECLARATIONS, NOT UNREAL ENGINE.
//
// A minimal imitation of the few Unreal Engine types and macros the MixPlay plugin
// (bindings/unreal/MixPlay) uses, so tests/unreal.rs can syntax-check the plugin's sources with
// g++ (-std=c++17 -fsyntax-only -Wall -Wextra -Werror) without an engine. Signatures follow the
// engine's (UE 5.x) where the plugin touches them, and are deliberately strict where the engine
// is strict, so real mistakes fail here too:
//   - TCHAR is char16_t (as on Linux/Mac) and TEXT("x") is u"x": char and TCHAR strings do not mix;
//   - FTCHARToUTF8 / FUTF8ToTCHAR convert between ANSICHAR (char) and TCHAR only;
//   - UE_LOG and FString::Printf reject class-type arguments (pass *String, not String);
//   - check(expr) is a statement macro, as in the engine (it breaks any `x::check(...)` call
//     that is not shielded with push_macro/pop_macro);
//   - GENERATED_BODY() expands through CURRENT_FILE_ID and __LINE__ to a macro that only the
//     matching X.generated.h defines (tests/unreal.rs writes those, like UnrealHeaderTool does),
//     and leaves the access at `private:` for classes as the real one does;
//   - dynamic multicast delegates broadcast exactly their declared parameter types, and
//     AddDynamic only binds a member function with exactly that signature;
//   - FMath::Max takes one type (int32 vs int64 mixes fail as in the engine).
// Nothing here links or runs: the plugin is compile-checked, not run inside the engine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

// ----- basic types -----
typedef std::int8_t int8;
typedef std::int16_t int16;
typedef std::int32_t int32;
typedef std::int64_t int64;
typedef std::uint8_t uint8;
typedef std::uint16_t uint16;
typedef std::uint32_t uint32;
typedef std::uint64_t uint64;
typedef char ANSICHAR;
typedef char16_t WIDECHAR;
typedef WIDECHAR TCHAR;
enum UTF8CHAR : unsigned char {};

#define TEXT_PASTE(x) u##x
#define TEXT(x) TEXT_PASTE(x)

#define PLATFORM_WINDOWS 0
#define PLATFORM_MAC 0
#define PLATFORM_LINUX 1

// ----- reflection markup (UnrealHeaderTool reads these; the compiler sees nothing) -----
#define UCLASS(...)
#define USTRUCT(...)
#define UENUM(...)
#define UPROPERTY(...)
#define UFUNCTION(...)
#define UMETA(...)
#define BODY_MACRO_COMBINE_INNER(A, B, C, D) A##B##C##D
#define BODY_MACRO_COMBINE(A, B, C, D) BODY_MACRO_COMBINE_INNER(A, B, C, D)
#define GENERATED_BODY(...) BODY_MACRO_COMBINE(CURRENT_FILE_ID, _, __LINE__, _GENERATED_BODY)

#define THIRD_PARTY_INCLUDES_START _Pragma("GCC diagnostic push")
#define THIRD_PARTY_INCLUDES_END _Pragma("GCC diagnostic pop")

namespace UEStandIn {
[[noreturn]] void AssertFailed(const char *Expr, const char *File, int Line);
}
#define check(expr)                                                      \
    {                                                                    \
        if (!(expr)) ::UEStandIn::AssertFailed(#expr, __FILE__, __LINE__); \
    }

// ----- utilities -----
template <class T>
typename std::remove_reference<T>::type &&MoveTemp(T &&Obj) {
    static_assert(!std::is_const<typename std::remove_reference<T>::type>::value, "MoveTemp of a const object");
    return static_cast<typename std::remove_reference<T>::type &&>(Obj);
}

struct FMath {
    template <class T>
    static constexpr T Max(const T A, const T B) { return A < B ? B : A; }
    template <class T>
    static constexpr T Min(const T A, const T B) { return A < B ? A : B; }
};

// ----- strings -----
class FString {
public:
    FString();
    FString(const TCHAR *Str);
    explicit FString(int32 Len, const TCHAR *Str);
    FString(const FString &);
    FString(FString &&);
    FString &operator=(const FString &);
    FString &operator=(FString &&);
    ~FString();

    const TCHAR *operator*() const;
    bool IsEmpty() const;
    void Empty();
    int32 Len() const;
    bool EndsWith(const TCHAR *Suffix) const;
    bool EndsWith(const FString &Suffix) const;
    void LeftChopInline(int32 Count);
    FString &operator+=(const FString &Other);
    friend FString operator+(const FString &A, const FString &B);
    friend FString operator+(const FString &A, const TCHAR *B);
    friend bool operator==(const FString &A, const FString &B);
    friend bool operator!=(const FString &A, const FString &B);

    template <class... Types>
    static FString Printf(const TCHAR *Fmt, Types... Args);

private:
    std::vector<TCHAR> Data;
};

namespace UEStandIn {
// Printf-style arguments: numbers, enums and pointers only (an FString must be passed as *Str).
template <class... Types>
constexpr bool FormatArgsOk() {
    return ((std::is_arithmetic<Types>::value || std::is_enum<Types>::value || std::is_pointer<Types>::value) && ... &&
            true);
}
}  // namespace UEStandIn

template <class... Types>
FString FString::Printf(const TCHAR *Fmt, Types... Args) {
    static_assert(UEStandIn::FormatArgsOk<Types...>(), "FString::Printf: pass numbers or TCHAR pointers (*String)");
    (void)Fmt;
    ((void)Args, ...);
    return FString();
}

class FName {
public:
    FName();
    FName(const TCHAR *Name);
};

class FTCHARToUTF8 {
public:
    explicit FTCHARToUTF8(const TCHAR *Source);
    FTCHARToUTF8(const TCHAR *Source, int32 SourceLen);
    const ANSICHAR *Get() const;
    int32 Length() const;
};

class FUTF8ToTCHAR {
public:
    explicit FUTF8ToTCHAR(const ANSICHAR *Source);
    FUTF8ToTCHAR(const ANSICHAR *Source, int32 SourceLen);
    const TCHAR *Get() const;
    int32 Length() const;
};

#define TCHAR_TO_UTF8(str) (ANSICHAR *)FTCHARToUTF8((const TCHAR *)str).Get()
#define UTF8_TO_TCHAR(str) (TCHAR *)FUTF8ToTCHAR((const ANSICHAR *)str).Get()

// ----- containers -----
template <class T>
class TArray {
public:
    TArray() = default;
    int32 Add(const T &Item) {
        Items.push_back(Item);
        return static_cast<int32>(Items.size()) - 1;
    }
    int32 Add(T &&Item) {
        Items.push_back(std::move(Item));
        return static_cast<int32>(Items.size()) - 1;
    }
    int32 Num() const { return static_cast<int32>(Items.size()); }
    const T *GetData() const { return Items.data(); }
    bool IsEmpty() const { return Items.empty(); }
    bool Contains(const T &Item) const {
        for (const T &I : Items)
            if (I == Item) return true;
        return false;
    }
    void Reset() { Items.clear(); }
    void Empty() { Items.clear(); }
    T &operator[](int32 Index) { return Items[static_cast<size_t>(Index)]; }
    const T &operator[](int32 Index) const { return Items[static_cast<size_t>(Index)]; }
    T *begin() { return Items.data(); }
    T *end() { return Items.data() + Items.size(); }
    const T *begin() const { return Items.data(); }
    const T *end() const { return Items.data() + Items.size(); }

private:
    std::vector<T> Items;
};

template <class K, class V>
class TMap {
public:
    V &Add(const K &Key, const V &Value);
    bool RemoveAndCopyValue(const K &Key, V &OutRemovedValue);
    V *Find(const K &Key);
    int32 Num() const;
    void Empty();
};

// ----- shared pointers -----
template <class T>
class TSharedPtr {
public:
    TSharedPtr() = default;
    TSharedPtr(std::nullptr_t) {}
    bool IsValid() const { return Ptr != nullptr; }
    explicit operator bool() const { return Ptr != nullptr; }
    T *operator->() const { return Ptr.get(); }
    T &operator*() const { return *Ptr; }
    T *Get() const { return Ptr.get(); }
    void Reset() { Ptr.reset(); }

private:
    template <class U, class... A>
    friend TSharedPtr<U> MakeShared(A &&...Args);
    std::shared_ptr<T> Ptr;
};

template <class T, class... A>
TSharedPtr<T> MakeShared(A &&...Args) {
    TSharedPtr<T> Out;
    Out.Ptr = std::make_shared<T>(std::forward<A>(Args)...);
    return Out;
}

// ----- logging -----
namespace ELogVerbosity {
enum Type : uint8 { NoLogging = 0, Fatal, Error, Warning, Display, Log, Verbose, VeryVerbose, All = VeryVerbose };
}

struct FLogCategoryBase {};

namespace UEStandIn {
template <class... Types>
void Log(const FLogCategoryBase &Category, ELogVerbosity::Type Verbosity, const TCHAR *Fmt, Types... Args) {
    static_assert(FormatArgsOk<Types...>(), "UE_LOG: pass numbers or TCHAR pointers (*String), not objects");
    (void)Category;
    (void)Verbosity;
    (void)Fmt;
    ((void)Args, ...);
}
}  // namespace UEStandIn

#define DECLARE_LOG_CATEGORY_EXTERN(CategoryName, DefaultVerbosity, CompileTimeVerbosity)                    \
    extern struct FLogCategory##CategoryName : public FLogCategoryBase {                                    \
        static_assert(ELogVerbosity::DefaultVerbosity >= 0 && ELogVerbosity::CompileTimeVerbosity >= 0, ""); \
    } CategoryName
#define DEFINE_LOG_CATEGORY(CategoryName) FLogCategory##CategoryName CategoryName
#define UE_LOG(CategoryName, Verbosity, Format, ...) \
    ::UEStandIn::Log(CategoryName, ::ELogVerbosity::Verbosity, Format, ##__VA_ARGS__)

// ----- objects -----
class UClass;
class UScriptStruct;

enum EObjectFlags : uint32 { RF_NoFlags = 0, RF_Public = 1, RF_ClassDefaultObject = 0x10 };

class UObject {
public:
    virtual ~UObject();
    bool HasAnyFlags(EObjectFlags FlagsToCheck) const;
    static UClass *StaticClass();
};

template <class T>
const T *GetDefault();

// A UClass* known to be T or derived from it.
template <class T>
class TSubclassOf {
public:
    TSubclassOf() = default;
    TSubclassOf(UClass *From) : Class(From) {}
    UClass *Get() const { return Class; }

private:
    UClass *Class = nullptr;
};

// The engine's checked downcast between UObjects: null when the object is not a To.
template <class To, class From>
To *Cast(From *Src) {
    static_assert(std::is_base_of<UObject, From>::value && std::is_base_of<UObject, To>::value, "Cast is for UObjects");
    return dynamic_cast<To *>(Src);
}

// ----- stats -----
struct TStatId {};
#define RETURN_QUICK_DECLARE_CYCLE_STAT(StatId, GroupId) \
    return ((void)sizeof(StatId), TStatId())

// ----- dynamic multicast delegates -----
template <class... Params>
class TDynamicMulticastStandIn {
public:
    void Broadcast(Params... Args) const;
    bool IsBound() const;
    void Clear();
    template <class UserClass>
    void __Internal_AddDynamic(UserClass *Object, void (UserClass::*Function)(Params...), const char *FunctionName);
    template <class UserClass>
    void __Internal_RemoveDynamic(UserClass *Object, void (UserClass::*Function)(Params...), const char *FunctionName);
};

#define AddDynamic(UserObject, FuncName) __Internal_AddDynamic(UserObject, FuncName, #FuncName)
#define RemoveDynamic(UserObject, FuncName) __Internal_RemoveDynamic(UserObject, FuncName, #FuncName)

#define DECLARE_DYNAMIC_MULTICAST_DELEGATE(Name) \
    class Name : public TDynamicMulticastStandIn<> {}
#define DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(Name, T1, N1) \
    class Name : public TDynamicMulticastStandIn<T1> {}
#define DECLARE_DYNAMIC_MULTICAST_DELEGATE_TwoParams(Name, T1, N1, T2, N2) \
    class Name : public TDynamicMulticastStandIn<T1, T2> {}
#define DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(Name, T1, N1, T2, N2, T3, N3) \
    class Name : public TDynamicMulticastStandIn<T1, T2, T3> {}
#define DECLARE_DYNAMIC_MULTICAST_DELEGATE_FourParams(Name, T1, N1, T2, N2, T3, N3, T4, N4) \
    class Name : public TDynamicMulticastStandIn<T1, T2, T3, T4> {}
#define DECLARE_DYNAMIC_MULTICAST_DELEGATE_FiveParams(Name, T1, N1, T2, N2, T3, N3, T4, N4, T5, N5) \
    class Name : public TDynamicMulticastStandIn<T1, T2, T3, T4, T5> {}
#define DECLARE_DYNAMIC_MULTICAST_DELEGATE_SixParams(Name, T1, N1, T2, N2, T3, N3, T4, N4, T5, N5, T6, N6) \
    class Name : public TDynamicMulticastStandIn<T1, T2, T3, T4, T5, T6> {}

// The engine's catch-all log category.
DECLARE_LOG_CATEGORY_EXTERN(LogTemp, Log, All);
