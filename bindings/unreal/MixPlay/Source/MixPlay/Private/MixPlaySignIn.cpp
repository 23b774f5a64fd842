// Signing in and staying signed in: the short-code sign-in, the tokens kept in a SaveGame slot so
// the next run signs in silently (their refresh token traded for fresh tokens; a refused one
// falls back to a code), tokens refreshed by the session or the chat saved as they come, and the
// signed-in user looked up (who, and which channel is theirs).
#include "MixPlayCalls.h"

#include "Kismet/GameplayStatics.h"
#include "MixPlaySavedTokens.h"

#if MIXPLAY_WITH_NATIVE
using namespace MixPlayConvert;
#endif

using MixPlayUtf8::FromFString;
using MixPlayUtf8::ToFString;

namespace
{
#if MIXPLAY_WITH_NATIVE
	/** The sign-in handle (made on first use). */
	mixplay::Auth& AuthOf(FMixPlayNative& Native, const UMixPlaySettings& Settings)
	{
		if (!Native.Auth)
		{
			Native.Auth.emplace(FromFString(Settings.GetBaseUrl()), FromFString(Settings.ClientId), FromFString(Settings.Scopes));
			Native.LastAuthState = mixplay::AuthState::Idle;
		}
		return *Native.Auth;
	}
#endif

	/** The saved tokens for this project's service and app, if any. */
	UMixPlaySavedTokens* LoadSaved(const UMixPlaySettings& Settings)
	{
		if (!Settings.bRememberSignIn || !UGameplayStatics::DoesSaveGameExist(Settings.TokenSaveSlot, 0))
		{
			return nullptr;
		}
		UMixPlaySavedTokens* Saved = Cast<UMixPlaySavedTokens>(UGameplayStatics::LoadGameFromSlot(Settings.TokenSaveSlot, 0));
		if (!Saved || Saved->RefreshToken.IsEmpty() || Saved->BaseUrl != Settings.GetBaseUrl() || Saved->ClientId != Settings.ClientId)
		{
			return nullptr;
		}
		return Saved;
	}
}

bool UMixPlaySubsystem::StartSignIn()
{
#if MIXPLAY_WITH_NATIVE
	if (!Native)
	{
		ReportFailure(EMixPlayErrorSource::Unavailable, TEXT("StartSignIn"), 0, TEXT("the MixPlay library did not load (see the log)"));
		return false;
	}
	const UMixPlaySettings* Settings = GetDefault<UMixPlaySettings>();
	try
	{
		mixplay::Auth& Auth = AuthOf(*Native, *Settings);
		if (const UMixPlaySavedTokens* Saved = LoadSaved(*Settings))
		{
			// Silently: the saved refresh token for fresh tokens; no code unless it is refused.
			Native->bResuming = true;
			Auth.refresh(FromFString(Saved->RefreshToken));
		}
		else
		{
			Native->bResuming = false;
			Auth.start();
		}
		return true;
	}
	catch (const mixplay::Error& Error)
	{
		Native->Auth.reset();
		ReportFailure(EMixPlayErrorSource::SignIn, TEXT("StartSignIn"), static_cast<int32>(Error.code()), Describe(Error));
		return false;
	}
#else
	ReportFailure(EMixPlayErrorSource::Unavailable, TEXT("StartSignIn"), 0, TEXT("MixPlay has no native library on this platform"));
	return false;
#endif
}

void UMixPlaySubsystem::CancelSignIn()
{
#if MIXPLAY_WITH_NATIVE
	if (Native && Native->Auth)
	{
		try
		{
			Native->bResuming = false;
			Native->Auth->cancel();
		}
		catch (const mixplay::Error& Error)
		{
			ReportFailure(EMixPlayErrorSource::SignIn, TEXT("CancelSignIn"), static_cast<int32>(Error.code()), Describe(Error));
		}
	}
#endif
}

void UMixPlaySubsystem::SignOut()
{
	CancelSignIn();
	ForgetSavedTokens();
	SignedInToken.Empty();
	SignedInRefreshToken.Empty();
	SignedInExpiresIn = 0;
	SignedInGrantedAt = 0;
	bHaveUser = false;
	CurrentUser = FMixPlayUser();
	SignInState = EMixPlaySignInState::Idle;
}

void UMixPlaySubsystem::PollSignIn()
{
#if MIXPLAY_WITH_NATIVE
	if (!Native || !Native->Auth)
	{
		return;
	}
	FMixPlayNative& N = *Native;
	FString Code, Url, Message;
	EMixPlaySignInState NewState = EMixPlaySignInState::Idle;
	try
	{
		if (N.bFetchingUser)
		{
			const mixplay::User User = N.Auth->user();
			if (User.found())
			{
				N.bFetchingUser = false;
				bHaveUser = true;
				CurrentUser.UserId = static_cast<int32>(User.id);
				CurrentUser.Username = ToFString(User.username);
				CurrentUser.Level = static_cast<int32>(User.level);
				CurrentUser.Sparks = static_cast<int64>(User.sparks);
				CurrentUser.ChannelId = static_cast<int32>(User.channel_id);
				OnUserFound.Broadcast(CurrentUser);
			}
			else if (User.failed())
			{
				N.bFetchingUser = false;
				ReportFailure(EMixPlayErrorSource::SignIn, TEXT("FetchCurrentUser"), 0, ToFString(User.message));
			}
		}
		const mixplay::AuthStatus Status = N.Auth->poll();
		if (Status.state == N.LastAuthState)
		{
			return;
		}
		N.LastAuthState = Status.state;
		if (Status.approved())
		{
			SignedInToken = ToFString(Status.access_token);
			SignedInRefreshToken = ToFString(Status.refresh_token);
			SignedInExpiresIn = static_cast<int64>(Status.expires_in);
			SignedInGrantedAt = Status.granted_at;
			N.bResuming = false;
			SignedIn();
		}
		else if (N.bResuming && Status.failed())
		{
			// The saved refresh token no longer works (spent, revoked, expired): ask for a code.
			UE_LOG(LogMixPlay, Log, TEXT("MixPlay: the saved sign-in no longer works; showing a code"));
			ForgetSavedTokens();
			N.bResuming = false;
			N.Auth->start();
			return;
		}
		else if (Status.expired())
		{
			N.Auth->start(); // a new code, by itself
		}
		NewState = ToSignIn(Status.state);
		Code = ToFString(Status.code);
		Url = ToFString(Status.url);
		Message = ToFString(Status.message);
	}
	catch (const mixplay::Error& Error)
	{
		ReportFailure(EMixPlayErrorSource::SignIn, TEXT("sign-in poll"), static_cast<int32>(Error.code()), Describe(Error));
		return;
	}
	SignInState = NewState;
	OnSignInChanged.Broadcast(NewState, Code, Url, Message);
#endif
}

void UMixPlaySubsystem::SignedIn()
{
#if MIXPLAY_WITH_NATIVE
	SaveTokens();
	FMixPlayNative& N = *Native;
	N.Auth->fetch_user(FromFString(SignedInToken));
	N.bFetchingUser = true;
	// Signed in again while connected (a refresh token was refused): the new tokens go in.
	const mixplay::TokenRefresh Refresh =
		RefreshOf(*GetDefault<UMixPlaySettings>(), SignedInRefreshToken, SignedInExpiresIn, SignedInGrantedAt);
	if (N.Session)
	{
		N.Session->set_token(FromFString(SignedInToken));
		N.Session->set_token_refresh(Refresh);
	}
	if (N.Chat)
	{
		N.Chat->set_token(FromFString(SignedInToken));
		N.Chat->set_token_refresh(Refresh);
	}
#endif
}

void UMixPlaySubsystem::TokensRefreshed(bool bRefreshed, const FString& Message)
{
	if (bRefreshed)
	{
		SaveTokens();
	}
	else
	{
		// Refreshing stopped for good: StartSignIn asks for a code again.
		UE_LOG(LogMixPlay, Warning, TEXT("MixPlay: the token can no longer be refreshed (%s); sign in again"), *Message);
		ForgetSavedTokens();
		SignedInRefreshToken.Empty();
	}
	OnTokensRefreshed.Broadcast(bRefreshed, Message);
}

void UMixPlaySubsystem::SaveTokens() const
{
	const UMixPlaySettings* Settings = GetDefault<UMixPlaySettings>();
	if (!Settings->bRememberSignIn || SignedInRefreshToken.IsEmpty())
	{
		return;
	}
	UMixPlaySavedTokens* Saved = Cast<UMixPlaySavedTokens>(UGameplayStatics::CreateSaveGameObject(UMixPlaySavedTokens::StaticClass()));
	if (!Saved)
	{
		return;
	}
	Saved->BaseUrl = Settings->GetBaseUrl();
	Saved->ClientId = Settings->ClientId;
	Saved->AccessToken = SignedInToken;
	Saved->RefreshToken = SignedInRefreshToken;
	Saved->ExpiresIn = SignedInExpiresIn;
	Saved->GrantedAt = SignedInGrantedAt;
	if (!UGameplayStatics::SaveGameToSlot(Saved, Settings->TokenSaveSlot, 0))
	{
		UE_LOG(LogMixPlay, Warning, TEXT("MixPlay: could not save the sign-in to slot %s"), *Settings->TokenSaveSlot);
	}
}

void UMixPlaySubsystem::ForgetSavedTokens() const
{
	const UMixPlaySettings* Settings = GetDefault<UMixPlaySettings>();
	if (UGameplayStatics::DoesSaveGameExist(Settings->TokenSaveSlot, 0))
	{
		UGameplayStatics::DeleteGameInSlot(Settings->TokenSaveSlot, 0);
	}
}

bool UMixPlaySubsystem::GetCurrentUser(FMixPlayUser& OutUser) const
{
	OutUser = CurrentUser;
	return bHaveUser;
}

bool UMixPlaySubsystem::FetchCurrentUser(const FString& OAuthToken)
{
#if MIXPLAY_WITH_NATIVE
	const FString& Token = OAuthToken.IsEmpty() ? SignedInToken : OAuthToken;
	if (!Native || Token.IsEmpty())
	{
		ReportFailure(EMixPlayErrorSource::SignIn, TEXT("FetchCurrentUser"), 0, TEXT("no token (sign in first, or give one)"));
		return false;
	}
	const UMixPlaySettings* Settings = GetDefault<UMixPlaySettings>();
	try
	{
		AuthOf(*Native, *Settings).fetch_user(FromFString(Token));
		Native->bFetchingUser = true;
		return true;
	}
	catch (const mixplay::Error& Error)
	{
		ReportFailure(EMixPlayErrorSource::SignIn, TEXT("FetchCurrentUser"), static_cast<int32>(Error.code()), Describe(Error));
		return false;
	}
#else
	(void)OAuthToken;
	ReportFailure(EMixPlayErrorSource::Unavailable, TEXT("FetchCurrentUser"), 0, TEXT("MixPlay has no native library on this platform"));
	return false;
#endif
}
