#include "MixPlaySettings.h"

UMixPlaySettings::UMixPlaySettings()
{
	ServiceUrl = TEXT("http://127.0.0.1:8080");
	Scopes = TEXT("interactive:robot:self chat:connect chat:chat");
	TokenSaveSlot = TEXT("MixPlayTokens");
	Compression = TEXT("lz4,gzip");
}

FString UMixPlaySettings::GetBaseUrl() const
{
	FString Base = ServiceUrl;
	while (Base.EndsWith(TEXT("/")))
	{
		Base.LeftChopInline(1);
	}
	return Base;
}

FString UMixPlaySettings::GetDiscoveryUrl() const
{
	return GetBaseUrl() + TEXT("/api/v1/interactive/hosts");
}

FName UMixPlaySettings::GetCategoryName() const
{
	return FName(TEXT("Plugins"));
}
