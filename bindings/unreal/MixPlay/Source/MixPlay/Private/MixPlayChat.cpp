// The chat: joining a channel's chat (the signed-in user's own with channel 0), its token, and
// every chat call: messages, whispers, moderation, history, polls.
#include "MixPlayCalls.h"

#if MIXPLAY_WITH_NATIVE
using namespace MixPlayConvert;
#endif

using MixPlayUtf8::FromFString;

bool UMixPlaySubsystem::ConnectChat(int32 ChannelId, const FString& OAuthToken)
{
#if MIXPLAY_WITH_NATIVE
	if (!Native)
	{
		ReportFailure(EMixPlayErrorSource::Unavailable, TEXT("ConnectChat"), 0, TEXT("the MixPlay library did not load (see the log)"));
		return false;
	}
	const UMixPlaySettings* Settings = GetDefault<UMixPlaySettings>();
	const bool bSignedInToken = OAuthToken.IsEmpty();
	const FString& Token = bSignedInToken ? SignedInToken : OAuthToken;
	try
	{
		Native->Chat.reset();
		++ChatGeneration;
		// An empty token reads the chat anonymously; an empty client id sends none.
		const std::string TokenUtf8 = FromFString(Token);
		const std::string ClientIdUtf8 = FromFString(Settings->ClientId);
		mixplay::Config ChatSettings;
		ApplyConnection(ChatSettings, *Settings);
		if (bSignedInToken && !SignedInRefreshToken.IsEmpty())
		{
			// The same refresh as the session's: one refresh serves both.
			ChatSettings.token_refresh(RefreshOf(*Settings, SignedInRefreshToken, SignedInExpiresIn, SignedInGrantedAt));
		}
		Native->Chat.emplace(FromFString(Settings->GetBaseUrl()), static_cast<uint32_t>(FMath::Max(0, ChannelId)),
			OptionalView(TokenUtf8), OptionalView(ClientIdUtf8), &ChatSettings);
		return true;
	}
	catch (const mixplay::Error& Error)
	{
		ReportFailure(EMixPlayErrorSource::Chat, TEXT("ConnectChat"), static_cast<int32>(Error.code()), Describe(Error));
		return false;
	}
#else
	(void)ChannelId;
	(void)OAuthToken;
	ReportFailure(EMixPlayErrorSource::Unavailable, TEXT("ConnectChat"), 0, TEXT("MixPlay has no native library on this platform"));
	return false;
#endif
}

void UMixPlaySubsystem::DisconnectChat()
{
#if MIXPLAY_WITH_NATIVE
	if (Native && Native->Chat)
	{
		Native->Chat.reset();
		++ChatGeneration;
	}
#endif
}

EMixPlayConnectionState UMixPlaySubsystem::GetChatConnectionState() const
{
#if MIXPLAY_WITH_NATIVE
	if (!Native || !Native->Chat)
	{
		return EMixPlayConnectionState::Disconnected;
	}
	return WithChat(TEXT("GetChatConnectionState"), EMixPlayConnectionState::Disconnected,
		[](auto& N) { return ToState(N.Chat->connection_state()); });
#else
	return EMixPlayConnectionState::Disconnected;
#endif
}

bool UMixPlaySubsystem::SetChatToken(const FString& OAuthToken)
{
	return WithChat(TEXT("SetChatToken"), false, [&](auto& N) {
		N.Chat->set_token(FromFString(OAuthToken));
		return true;
	});
}

int64 UMixPlaySubsystem::SendChatMessage(const FString& Text)
{
	return WithChat(TEXT("SendChatMessage"), int64(0), [&](auto& N) { return static_cast<int64>(N.Chat->send(FromFString(Text))); });
}

int64 UMixPlaySubsystem::SendChatWhisper(const FString& Username, const FString& Text)
{
	return WithChat(TEXT("SendChatWhisper"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Chat->whisper(FromFString(Username), FromFString(Text)));
	});
}

int64 UMixPlaySubsystem::ChatTimeout(const FString& Username, const FString& Duration)
{
	return WithChat(TEXT("ChatTimeout"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Chat->timeout(FromFString(Username), FromFString(Duration)));
	});
}

int64 UMixPlaySubsystem::ChatPurge(const FString& Username)
{
	return WithChat(TEXT("ChatPurge"), int64(0), [&](auto& N) { return static_cast<int64>(N.Chat->purge(FromFString(Username))); });
}

int64 UMixPlaySubsystem::ChatDeleteMessage(const FString& MessageId)
{
	return WithChat(TEXT("ChatDeleteMessage"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Chat->delete_message(FromFString(MessageId)));
	});
}

int64 UMixPlaySubsystem::ChatClearMessages()
{
	return WithChat(TEXT("ChatClearMessages"), int64(0), [](auto& N) { return static_cast<int64>(N.Chat->clear_messages()); });
}

int64 UMixPlaySubsystem::ChatHistory(int32 Count)
{
	return WithChat(TEXT("ChatHistory"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Chat->history(static_cast<uint32_t>(FMath::Max(0, Count))));
	});
}

int64 UMixPlaySubsystem::StartChatPoll(const FString& Question, const TArray<FString>& Answers, int32 Seconds)
{
	return WithChat(TEXT("StartChatPoll"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Chat->start_poll(FromFString(Question), MixPlayJson::JsonStrings(Answers),
			static_cast<uint32_t>(FMath::Max(0, Seconds))));
	});
}

int64 UMixPlaySubsystem::VoteChatPoll(int32 AnswerIndex)
{
	return WithChat(TEXT("VoteChatPoll"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Chat->vote(static_cast<uint32_t>(FMath::Max(0, AnswerIndex))));
	});
}

int64 UMixPlaySubsystem::CallChatMethod(const FString& Method, const FString& ArgsJson)
{
	return WithChat(TEXT("CallChatMethod"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Chat->call(FromFString(Method), FromFString(ArgsJson.IsEmpty() ? FString(TEXT("[]")) : ArgsJson)));
	});
}
