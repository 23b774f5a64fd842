// STAND-IN game code (not part of the plugin): what a project's C++ does with the plugin's
// public API. tests/unreal.rs syntax-checks it with the stand-ins, so every delegate must bind
// (AddDynamic) to a handler of exactly its signature, and every Blueprint function is callable
// from outside the class with the documented types.
#include "CoreMinimal.h"
#include "Subsystems/GameInstanceSubsystem.h"
#include "MixPlaySettings.h"
#include "MixPlaySubsystem.h"

class UMyAudienceListener : public UObject {
public:
    void OnState(EMixPlayConnectionState State, int32 CloseCode, const FString &Message) { (void)State, (void)CloseCode, (void)Message; }
    void OnReady(bool bReady) { (void)bReady; }
    void OnDown(const FString &ControlId, const FString &ParticipantId, const FString &TransactionId) {
        if (Subsystem && !TransactionId.IsEmpty()) Subsystem->Capture(TransactionId);
        if (Subsystem) Subsystem->SetControlText(ControlId, FString(TEXT("Pressed by ")) + ParticipantId);
    }
    void OnUp(const FString &ControlId, const FString &ParticipantId) { (void)ControlId, (void)ParticipantId; }
    void OnMove(const FString &ControlId, const FString &ParticipantId, float X, float Y) { (void)ControlId, (void)ParticipantId, (void)X, (void)Y; }
    void OnText(const FString &ControlId, const FString &ParticipantId, const FString &Text) { (void)ControlId, (void)ParticipantId, (void)Text; }
    void OnCustom(const FString &ControlId, const FString &ParticipantId, const FString &Name, const FString &Json) { (void)ControlId, (void)ParticipantId, (void)Name, (void)Json; }
    void OnJoined(const FMixPlayParticipant &P) { UE_LOG(LogTemp, Log, TEXT("%s joined"), *P.Username); }
    void OnLeft(const FString &ParticipantId, const FString &Json) { (void)ParticipantId, (void)Json; }
    void OnTransaction(int64 RequestId, const FString &Txn, bool bCaptured, int32 Code, const FString &Message) { (void)RequestId, (void)Txn, (void)bCaptured, (void)Code, (void)Message; }
    void OnReply(int64 RequestId, bool bOk, int32 Code, const FString &Message, const FString &Json) { (void)RequestId, (void)bOk, (void)Code, (void)Message, (void)Json; }
    void OnError(EMixPlayErrorSource Source, int32 Code, const FString &Message) { (void)Source, (void)Code, (void)Message; }
    void OnSignIn(EMixPlaySignInState State, const FString &Code, const FString &Url, const FString &Message) { (void)State, (void)Code, (void)Url, (void)Message; }
    void OnChatState(EMixPlayConnectionState State, const FString &Why) { (void)State, (void)Why; }
    void OnChat(const FMixPlayChatMessage &M) { UE_LOG(LogTemp, Log, TEXT("%s: %s"), *M.UserName, *M.Text); }
    void OnChatReply(int64 RequestId, bool bOk, const FString &Error, const FString &Json) { (void)RequestId, (void)bOk, (void)Error, (void)Json; }

    void Bind(UGameInstance *GameInstance) {
        Subsystem = GameInstance->GetSubsystem<UMixPlaySubsystem>();
        Subsystem->OnConnectionStateChanged.AddDynamic(this, &UMyAudienceListener::OnState);
        Subsystem->OnReadyChanged.AddDynamic(this, &UMyAudienceListener::OnReady);
        Subsystem->OnButtonDown.AddDynamic(this, &UMyAudienceListener::OnDown);
        Subsystem->OnButtonUp.AddDynamic(this, &UMyAudienceListener::OnUp);
        Subsystem->OnJoystickMoved.AddDynamic(this, &UMyAudienceListener::OnMove);
        Subsystem->OnTextSubmitted.AddDynamic(this, &UMyAudienceListener::OnText);
        Subsystem->OnCustomInput.AddDynamic(this, &UMyAudienceListener::OnCustom);
        Subsystem->OnParticipantJoined.AddDynamic(this, &UMyAudienceListener::OnJoined);
        Subsystem->OnParticipantUpdated.AddDynamic(this, &UMyAudienceListener::OnJoined);
        Subsystem->OnParticipantLeft.AddDynamic(this, &UMyAudienceListener::OnLeft);
        Subsystem->OnTransactionResult.AddDynamic(this, &UMyAudienceListener::OnTransaction);
        Subsystem->OnReply.AddDynamic(this, &UMyAudienceListener::OnReply);
        Subsystem->OnError.AddDynamic(this, &UMyAudienceListener::OnError);
        Subsystem->OnSignInChanged.AddDynamic(this, &UMyAudienceListener::OnSignIn);
        Subsystem->OnChatStateChanged.AddDynamic(this, &UMyAudienceListener::OnChatState);
        Subsystem->OnChatMessage.AddDynamic(this, &UMyAudienceListener::OnChat);
        Subsystem->OnChatReply.AddDynamic(this, &UMyAudienceListener::OnChatReply);
    }

    void Play() {
        const UMixPlaySettings *Settings = GetDefault<UMixPlaySettings>();
        UE_LOG(LogTemp, Log, TEXT("service %s, version %d"), *Settings->ServiceUrl, Settings->VersionId);
        if (!Subsystem->IsAvailable()) return;
        Subsystem->StartSignIn();
        if (Subsystem->GetSignInState() == EMixPlaySignInState::Approved && Subsystem->IsSignedIn()) {
            Subsystem->Connect(FString());
            Subsystem->ConnectChat(1, FString());
        }
        bool bOk = Subsystem->Connect(TEXT("token"));
        int64 Id = Subsystem->SetReady(true);
        Id = Subsystem->SetControlTooltip(TEXT("b"), TEXT("tip"));
        Id = Subsystem->SetControlProgress(TEXT("b"), 0.5f);
        Id = Subsystem->SetControlCooldown(TEXT("b"), 1000);
        Id = Subsystem->SetControlDisabled(TEXT("b"), true);
        Id = Subsystem->SetControlCost(TEXT("b"), 10);
        Id = Subsystem->MoveParticipantToGroup(TEXT("p"), TEXT("vips"));
        Id = Subsystem->CreateGroup(TEXT("vips"), TEXT("default"));
        Id = Subsystem->SetGroupScene(TEXT("vips"), TEXT("lobby"));
        Id = Subsystem->CallMethod(TEXT("getTime"), FString());
        Id = Subsystem->SendChatMessage(TEXT("hello"));
        Id = Subsystem->SendChatWhisper(TEXT("viewer1"), TEXT("hi"));
        FString Text;
        bOk = Subsystem->GetControlString(TEXT("b"), TEXT("text"), Text) && bOk;
        int32 Presses = 0, Releases = 0;
        Subsystem->GetButtonCounts(TEXT("b"), Presses, Releases);
        float X = 0.f, Y = 0.f;
        int32 Moves = Subsystem->GetJoystick(TEXT("j"), X, Y);
        TArray<FString> Holders = Subsystem->GetButtonHolders(TEXT("b"));
        TArray<FMixPlayTextSubmission> Texts = Subsystem->GetTextSubmissions(TEXT("t"));
        TArray<FMixPlayParticipant> People = Subsystem->GetParticipants();
        TArray<FString> Scenes = Subsystem->GetScenes();
        FMixPlayParticipant One;
        bOk = Subsystem->FindParticipant(TEXT("p"), One) && bOk;
        EMixPlayConnectionState State = Subsystem->GetConnectionState();
        bOk = Subsystem->IsReady() && State == EMixPlayConnectionState::Connected && bOk;
        UE_LOG(LogTemp, Log, TEXT("%d %lld %d %d %d %d %d %d %d %s"), bOk ? 1 : 0, static_cast<long long>(Id), Presses, Releases, Moves,
               Holders.Num(), Texts.Num(), People.Num(), Scenes.Num(), *Subsystem->GetLastError());
        Subsystem->CancelSignIn();
        Subsystem->DisconnectChat();
        Subsystem->Disconnect();
    }

private:
    UMixPlaySubsystem *Subsystem = nullptr;
};
