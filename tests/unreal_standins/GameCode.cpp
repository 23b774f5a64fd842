// STAND-IN game code (not part of the plugin): what a project's C++ does with the plugin's
// public API. tests/unreal.rs syntax-checks it with the stand-ins, so every delegate must bind
// (AddDynamic) to a handler of exactly its signature, and every Blueprint function is callable
// from outside the class with the documented types.
#include "CoreMinimal.h"
#include "Subsystems/GameInstanceSubsystem.h"
#include "MixPlaySavedTokens.h"
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
    void OnScreenDown(const FString &ControlId, const FString &ParticipantId, float X, float Y, const FString &Txn) { (void)ControlId, (void)ParticipantId, (void)X, (void)Y, (void)Txn; }
    void OnScreenUp(const FString &ControlId, const FString &ParticipantId, float X, float Y) { (void)ControlId, (void)ParticipantId, (void)X, (void)Y; }
    void OnText(const FString &ControlId, const FString &ParticipantId, const FString &Text) { (void)ControlId, (void)ParticipantId, (void)Text; }
    void OnCustom(const FString &ControlId, const FString &ParticipantId, const FString &Name, const FString &Json) { (void)ControlId, (void)ParticipantId, (void)Name, (void)Json; }
    void OnJoined(const FMixPlayParticipant &P) { UE_LOG(LogTemp, Log, TEXT("%s joined"), *P.Username); }
    void OnLeft(const FString &ParticipantId, const FString &Json) { (void)ParticipantId, (void)Json; }
    void OnScene(EMixPlayChange Change, const FString &SceneId, const FString &ReassignedTo) { (void)Change, (void)SceneId, (void)ReassignedTo; }
    void OnGroup(EMixPlayChange Change, const FString &GroupId, const FString &ReassignedTo) { (void)Change, (void)GroupId, (void)ReassignedTo; }
    void OnControl(EMixPlayChange Change, const FString &SceneId, const FString &ControlId) { (void)Change, (void)SceneId, (void)ControlId; }
    void OnWorld() {}
    void OnMemory(int64 Used, int64 Total, const FString &Json) { (void)Used, (void)Total, (void)Json; }
    void OnUnhandled(const FString &Method, const FString &Json) { (void)Method, (void)Json; }
    void OnTransaction(int64 RequestId, const FString &Txn, bool bCaptured, int32 Code, const FString &Message) { (void)RequestId, (void)Txn, (void)bCaptured, (void)Code, (void)Message; }
    void OnReply(int64 RequestId, bool bOk, int32 Code, const FString &Message, const FString &Json) { (void)RequestId, (void)bOk, (void)Code, (void)Message, (void)Json; }
    void OnError(EMixPlayErrorSource Source, int32 Code, const FString &Message) { (void)Source, (void)Code, (void)Message; }
    void OnTokens(bool bRefreshed, const FString &Message) {
        if (!bRefreshed && Subsystem) Subsystem->StartSignIn();
        (void)Message;
    }
    void OnSignIn(EMixPlaySignInState State, const FString &Code, const FString &Url, const FString &Message) { (void)State, (void)Code, (void)Url, (void)Message; }
    void OnUser(const FMixPlayUser &User) {
        if (Subsystem) Subsystem->ConnectChat(User.ChannelId, FString());
    }
    void OnChatState(EMixPlayConnectionState State, const FString &Why) { (void)State, (void)Why; }
    void OnChatJoined(const FMixPlayChatJoined &J) { UE_LOG(LogTemp, Log, TEXT("chat %d, %d permissions"), J.ChannelId, J.Permissions.Num()); }
    void OnChat(const FMixPlayChatMessage &M) { UE_LOG(LogTemp, Log, TEXT("%s: %s"), *M.UserName, *M.Text); }
    void OnChatEvent(const FString &Name, const FString &Json) { (void)Name, (void)Json; }
    void OnChatReply(int64 RequestId, bool bOk, const FString &Error, const FString &Json) { (void)RequestId, (void)bOk, (void)Error, (void)Json; }

    void Bind(UGameInstance *GameInstance) {
        Subsystem = GameInstance->GetSubsystem<UMixPlaySubsystem>();
        Subsystem->OnConnectionStateChanged.AddDynamic(this, &UMyAudienceListener::OnState);
        Subsystem->OnReadyChanged.AddDynamic(this, &UMyAudienceListener::OnReady);
        Subsystem->OnButtonDown.AddDynamic(this, &UMyAudienceListener::OnDown);
        Subsystem->OnButtonUp.AddDynamic(this, &UMyAudienceListener::OnUp);
        Subsystem->OnJoystickMoved.AddDynamic(this, &UMyAudienceListener::OnMove);
        Subsystem->OnScreenPressed.AddDynamic(this, &UMyAudienceListener::OnScreenDown);
        Subsystem->OnScreenReleased.AddDynamic(this, &UMyAudienceListener::OnScreenUp);
        Subsystem->OnTextSubmitted.AddDynamic(this, &UMyAudienceListener::OnText);
        Subsystem->OnTextChanged.AddDynamic(this, &UMyAudienceListener::OnText);
        Subsystem->OnCustomInput.AddDynamic(this, &UMyAudienceListener::OnCustom);
        Subsystem->OnParticipantJoined.AddDynamic(this, &UMyAudienceListener::OnJoined);
        Subsystem->OnParticipantUpdated.AddDynamic(this, &UMyAudienceListener::OnJoined);
        Subsystem->OnParticipantLeft.AddDynamic(this, &UMyAudienceListener::OnLeft);
        Subsystem->OnSceneChanged.AddDynamic(this, &UMyAudienceListener::OnScene);
        Subsystem->OnGroupChanged.AddDynamic(this, &UMyAudienceListener::OnGroup);
        Subsystem->OnControlChanged.AddDynamic(this, &UMyAudienceListener::OnControl);
        Subsystem->OnWorldUpdated.AddDynamic(this, &UMyAudienceListener::OnWorld);
        Subsystem->OnMemoryWarning.AddDynamic(this, &UMyAudienceListener::OnMemory);
        Subsystem->OnUnhandledMethod.AddDynamic(this, &UMyAudienceListener::OnUnhandled);
        Subsystem->OnTransactionResult.AddDynamic(this, &UMyAudienceListener::OnTransaction);
        Subsystem->OnReply.AddDynamic(this, &UMyAudienceListener::OnReply);
        Subsystem->OnError.AddDynamic(this, &UMyAudienceListener::OnError);
        Subsystem->OnTokensRefreshed.AddDynamic(this, &UMyAudienceListener::OnTokens);
        Subsystem->OnSignInChanged.AddDynamic(this, &UMyAudienceListener::OnSignIn);
        Subsystem->OnUserFound.AddDynamic(this, &UMyAudienceListener::OnUser);
        Subsystem->OnChatStateChanged.AddDynamic(this, &UMyAudienceListener::OnChatState);
        Subsystem->OnChatJoined.AddDynamic(this, &UMyAudienceListener::OnChatJoined);
        Subsystem->OnChatMessage.AddDynamic(this, &UMyAudienceListener::OnChat);
        Subsystem->OnChatEvent.AddDynamic(this, &UMyAudienceListener::OnChatEvent);
        Subsystem->OnChatReply.AddDynamic(this, &UMyAudienceListener::OnChatReply);
    }

    void Play() {
        const UMixPlaySettings *Settings = GetDefault<UMixPlaySettings>();
        UE_LOG(LogTemp, Log, TEXT("service %s, version %d, slot %s"), *Settings->ServiceUrl, Settings->VersionId, *Settings->TokenSaveSlot);
        if (!Subsystem->IsAvailable()) return;
        Subsystem->StartSignIn();
        FMixPlayUser Me;
        if (Subsystem->GetSignInState() == EMixPlaySignInState::Approved && Subsystem->IsSignedIn() && Subsystem->GetCurrentUser(Me)) {
            Subsystem->Connect(FString());
            Subsystem->ConnectChat(0, FString());
        }
        bool bOk = Subsystem->Connect(TEXT("token")) && Subsystem->FetchCurrentUser(FString());
        bOk = Subsystem->SetToken(TEXT("fresh-token")) && bOk;
        int64 Id = Subsystem->SetReady(true);
        Id = Subsystem->SetControlTooltip(TEXT("b"), TEXT("tip"));
        Id = Subsystem->SetLabelText(TEXT("title"), TEXT("Round 2"));
        Id = Subsystem->SetControlProgress(TEXT("b"), 0.5f);
        Id = Subsystem->SetControlCooldown(TEXT("b"), 1000);
        Id = Subsystem->SetControlDisabled(TEXT("b"), true);
        Id = Subsystem->SetControlCost(TEXT("b"), 10);
        Id = Subsystem->SetControlKeyCode(TEXT("b"), 32);
        Id = Subsystem->SetControlInt(TEXT("b"), TEXT("count"), 3);
        Id = Subsystem->SetControlFloat(TEXT("b"), TEXT("ratio"), 0.25f);
        Id = Subsystem->SetControlBool(TEXT("b"), TEXT("flag"), true);
        Id = Subsystem->SetControlString(TEXT("b"), TEXT("label"), TEXT("x"));
        Id = Subsystem->SetControlJson(TEXT("b"), TEXT("style"), TEXT("{}"));
        Id = Subsystem->SetControlMetaJson(TEXT("b"), TEXT("owner"), TEXT("\"me\""));
        Id = Subsystem->CreateScenes(TEXT("[]"));
        Id = Subsystem->CreateScene(TEXT("lobby"));
        Id = Subsystem->UpdateScenes(TEXT("[]"), 1);
        Id = Subsystem->DeleteScene(TEXT("lobby"), TEXT("default"));
        Id = Subsystem->CreateControls(TEXT("default"), TEXT("[]"));
        Id = Subsystem->UpdateControls(TEXT("default"), TEXT("[]"), 0);
        TArray<FString> Ids;
        Ids.Add(TEXT("b"));
        Id = Subsystem->DeleteControls(TEXT("default"), Ids);
        Id = Subsystem->CreateGroups(TEXT("[]"));
        Id = Subsystem->UpdateGroups(TEXT("[]"), 0);
        Id = Subsystem->MoveParticipantToGroup(TEXT("p"), TEXT("vips"));
        Id = Subsystem->CreateGroup(TEXT("vips"), TEXT("default"));
        Id = Subsystem->SetGroupScene(TEXT("vips"), TEXT("lobby"));
        Id = Subsystem->DeleteGroup(TEXT("vips"), TEXT("default"));
        Id = Subsystem->SetParticipantDisabled(TEXT("p"), true);
        Id = Subsystem->UpdateParticipants(TEXT("[]"), 0);
        Id = Subsystem->GetAllParticipants(0);
        Id = Subsystem->GetActiveParticipants(0);
        TArray<int32> UserIds;
        UserIds.Add(2);
        Id = Subsystem->GetParticipantsByUserId(UserIds);
        Id = Subsystem->GetParticipantsBySessionId(Ids);
        Id = Subsystem->UpdateWorld(TEXT("{}"), 0);
        TArray<FString> Scopes;
        Scopes.Add(TEXT("everyone"));
        Id = Subsystem->BroadcastEvent(Scopes, TEXT("{}"));
        Id = Subsystem->SetBandwidthThrottle(TEXT("{}"));
        Id = Subsystem->GetThrottleState();
        Id = Subsystem->GetMemoryStats();
        Id = Subsystem->GetTime();
        TArray<uint8> Bytes;
        Bytes.Add(137);
        Id = Subsystem->UploadFile(TEXT("images/tile.png"), Bytes);
        Id = Subsystem->DeleteUploadedFile(TEXT("images/tile.png"));
        Id = Subsystem->CallMethod(TEXT("getTime"), FString());
        Id = Subsystem->SendChatMessage(TEXT("hello"));
        Id = Subsystem->SendChatWhisper(TEXT("viewer1"), TEXT("hi"));
        Id = Subsystem->ChatTimeout(TEXT("viewer1"), TEXT("30s"));
        Id = Subsystem->ChatPurge(TEXT("viewer1"));
        Id = Subsystem->ChatDeleteMessage(TEXT("m"));
        Id = Subsystem->ChatClearMessages();
        Id = Subsystem->ChatHistory(10);
        Id = Subsystem->StartChatPoll(TEXT("Next?"), Ids, 30);
        Id = Subsystem->VoteChatPoll(0);
        Id = Subsystem->CallChatMethod(TEXT("ping"), FString());
        bOk = Subsystem->SetChatToken(TEXT("fresh-token")) && Subsystem->GetChatConnectionState() == EMixPlayConnectionState::Connected && bOk;
        FString Text, Json;
        int64 Int = 0;
        float Float = 0.f;
        bool bFlag = false;
        bOk = Subsystem->GetControlString(TEXT("b"), TEXT("text"), Text) && bOk;
        bOk = Subsystem->GetControlInt(TEXT("b"), TEXT("cost"), Int) && Subsystem->GetControlFloat(TEXT("b"), TEXT("progress"), Float) && bOk;
        bOk = Subsystem->GetControlBool(TEXT("b"), TEXT("disabled"), bFlag) && Subsystem->GetControlJson(TEXT("b"), TEXT("meta"), Json) && bOk;
        bOk = Subsystem->GetControl(TEXT("b"), Json) && bOk;
        FMixPlayButtonState Button;
        FMixPlayJoystickState Stick;
        FMixPlayScreenState Screen;
        FMixPlayTextboxState Box;
        int32 Cost = 0, KeyCode = 0;
        bool bMulti = false, bSubmit = false, bBold = false, bUnder = false, bItalic = false;
        FString Tip, Size, Color;
        bOk = Subsystem->GetButtonState(TEXT("b"), FString(), Button) && Subsystem->GetButtonState(TEXT("b"), TEXT("p"), Button) && bOk;
        bOk = Subsystem->GetButtonDescription(TEXT("b"), Text, Tip, Cost, KeyCode) && bOk;
        bOk = Subsystem->GetJoystickState(TEXT("j"), FString(), Stick) && Subsystem->GetScreenState(TEXT("s"), Screen) && bOk;
        bOk = Subsystem->GetTextboxState(TEXT("t"), TEXT("p"), Box) && Subsystem->GetTextboxDescription(TEXT("t"), Text, bMulti, bSubmit, Tip, Cost) && bOk;
        bOk = Subsystem->GetLabelDescription(TEXT("title"), Text, Size, Color, bBold, bUnder, bItalic) && bOk;
        int32 Presses = 0, Releases = 0;
        Subsystem->GetButtonCounts(TEXT("b"), Presses, Releases);
        float X = 0.f, Y = 0.f;
        int32 Moves = Subsystem->GetJoystick(TEXT("j"), X, Y);
        TArray<FString> Holders = Subsystem->GetButtonHolders(TEXT("b"));
        TArray<FString> Pressers = Subsystem->GetButtonPressers(TEXT("b"));
        TArray<FMixPlayTextSubmission> Texts = Subsystem->GetTextSubmissions(TEXT("t"));
        TArray<FMixPlayParticipant> People = Subsystem->GetParticipants();
        TArray<FMixPlayParticipant> Vips = Subsystem->GetParticipantsInGroup(TEXT("vips"));
        TArray<FString> Scenes = Subsystem->GetScenes();
        TArray<FString> Controls = Subsystem->GetControls(TEXT("default"));
        TArray<FMixPlayGroup> Groups = Subsystem->GetGroups();
        FMixPlayParticipant One;
        bOk = Subsystem->FindParticipant(TEXT("p"), One) && Subsystem->FindParticipantByUserId(2, One) && bOk;
        EMixPlayConnectionState State = Subsystem->GetConnectionState();
        bOk = Subsystem->IsReady() && State == EMixPlayConnectionState::Connected && bOk;
        UE_LOG(LogTemp, Log, TEXT("%d %lld %d %d %d %d %d %d %d %d %d %d %d %d %lld %s"), bOk ? 1 : 0, static_cast<long long>(Id), Presses,
               Releases, Moves, Holders.Num(), Pressers.Num(), Texts.Num(), People.Num(), Vips.Num(), Scenes.Num(), Controls.Num(),
               Groups.Num(), Subsystem->GetParticipantCount(), static_cast<long long>(Subsystem->GetServerTime()), *Subsystem->GetLastError());
        Subsystem->CancelSignIn();
        Subsystem->DisconnectChat();
        Subsystem->Disconnect();
        Subsystem->SignOut();
    }

private:
    UMixPlaySubsystem *Subsystem = nullptr;
};
