#include "MixPlayModule.h"

#include "Modules/ModuleManager.h"
#include "Interfaces/IPluginManager.h"
#include "HAL/PlatformProcess.h"
#include "Misc/Paths.h"

#include "MixPlayNative.h"
#include "MixPlayUtf8.h"

DEFINE_LOG_CATEGORY(LogMixPlay);

namespace
{
	bool GNativeAvailable = false;

#if MIXPLAY_WITH_NATIVE
	/** The library's log records, delivered inside a poll on the game thread. */
	void ForwardLog(void* UserData, uint32_t Level, mixplay_str Message)
	{
		(void)UserData;
		const FString Text = MixPlayUtf8::ToFString(std::string_view(Message.ptr, Message.len));
		switch (Level)
		{
		case MIXPLAY_LOG_LEVEL_ERROR: UE_LOG(LogMixPlay, Error, TEXT("%s"), *Text); break;
		case MIXPLAY_LOG_LEVEL_WARNING: UE_LOG(LogMixPlay, Warning, TEXT("%s"), *Text); break;
		case MIXPLAY_LOG_LEVEL_INFO: UE_LOG(LogMixPlay, Log, TEXT("%s"), *Text); break;
		default: UE_LOG(LogMixPlay, Verbose, TEXT("%s"), *Text); break;
		}
	}
#endif
}

void FMixPlayModule::StartupModule()
{
#if MIXPLAY_WITH_NATIVE
#if MIXPLAY_DYNAMIC_LIBRARY
	// The library is delay-loaded: load it from where Build.cs staged it before the first call.
#if PLATFORM_WINDOWS
	const TCHAR* LibraryName = TEXT("mixplay.dll");
#elif PLATFORM_MAC
	const TCHAR* LibraryName = TEXT("libmixplay.dylib");
#else
	const TCHAR* LibraryName = TEXT("libmixplay.so");
#endif
	const FString Platform = FPlatformProcess::GetBinariesSubdirectory();
	TArray<FString> Candidates;
	if (TSharedPtr<IPlugin> Plugin = IPluginManager::Get().FindPlugin(TEXT("MixPlay")))
	{
		Candidates.Add(FPaths::Combine(Plugin->GetBaseDir(), TEXT("Binaries"), Platform, LibraryName));
		Candidates.Add(FPaths::Combine(Plugin->GetBaseDir(), TEXT("Source/ThirdParty/mixplay/lib"), Platform, LibraryName));
	}
	Candidates.Add(FPaths::Combine(FPlatformProcess::BaseDir(), LibraryName));
	for (const FString& Candidate : Candidates)
	{
		if (FPaths::FileExists(Candidate))
		{
			LibraryHandle = FPlatformProcess::GetDllHandle(*Candidate);
			if (LibraryHandle)
			{
				break;
			}
		}
	}
	if (!LibraryHandle)
	{
		UE_LOG(LogMixPlay, Error, TEXT("MixPlay: %s was not found next to the plugin or the executable; MixPlay is disabled. Run bindings/unreal/stage.sh (see the plugin README)."), LibraryName);
		return;
	}
#endif
	if (!mixplay::abi_matches())
	{
		UE_LOG(LogMixPlay, Error, TEXT("MixPlay: the native library has ABI %u but the plugin was built for %u; MixPlay is disabled. Stage matching files."),
			mixplay::abi_version(), static_cast<uint32>(MIXPLAY_ABI_VERSION));
		return;
	}
	mixplay::set_log_sink(&ForwardLog, nullptr);
	GNativeAvailable = true;
	UE_LOG(LogMixPlay, Log, TEXT("MixPlay %s loaded"), *MixPlayUtf8::ToFString(mixplay::version()));
#else
	UE_LOG(LogMixPlay, Log, TEXT("MixPlay has no native library for this platform; its functions report Unavailable."));
#endif
}

void FMixPlayModule::ShutdownModule()
{
	// Game instances (and so their sessions) are gone by now.
#if MIXPLAY_WITH_NATIVE
	if (GNativeAvailable)
	{
		(void)mixplay_set_log_sink(nullptr, nullptr);
	}
#endif
	GNativeAvailable = false;
	if (LibraryHandle)
	{
		FPlatformProcess::FreeDllHandle(LibraryHandle);
		LibraryHandle = nullptr;
	}
}

bool FMixPlayModule::IsNativeAvailable()
{
	return GNativeAvailable;
}

IMPLEMENT_MODULE(FMixPlayModule, MixPlay)
