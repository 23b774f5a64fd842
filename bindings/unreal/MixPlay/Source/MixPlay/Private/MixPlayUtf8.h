// FString <-> UTF-8 at the plugin's edge. The wrapper speaks UTF-8 std::string_view; the engine
// speaks TCHAR FStrings. Every conversion in the plugin goes through these three functions.
#pragma once

#include "CoreMinimal.h"

#include <cstdio>
#include <string>
#include <string_view>

namespace MixPlayUtf8
{
	/** An FString as UTF-8 bytes (for a wrapper call). */
	inline std::string FromFString(const FString& In)
	{
		if (In.IsEmpty())
		{
			return std::string();
		}
		FTCHARToUTF8 Converted(*In, In.Len());
		return std::string(reinterpret_cast<const char*>(Converted.Get()), static_cast<size_t>(Converted.Length()));
	}

	/** UTF-8 bytes from the library (a view valid until the next poll) as an owning FString. */
	inline FString ToFString(std::string_view In)
	{
		if (In.empty())
		{
			return FString();
		}
		FUTF8ToTCHAR Converted(reinterpret_cast<const ANSICHAR*>(In.data()), static_cast<int32>(In.size()));
		return FString(Converted.Length(), Converted.Get());
	}

	/** `In` as a quoted JSON string (UTF-8 passes through; quotes, backslashes and controls are escaped). */
	inline std::string JsonQuote(std::string_view In)
	{
		std::string Out;
		Out.reserve(In.size() + 2);
		Out.push_back('"');
		for (const char C : In)
		{
			switch (C)
			{
			case '"': Out += "\\\""; break;
			case '\\': Out += "\\\\"; break;
			case '\n': Out += "\\n"; break;
			case '\r': Out += "\\r"; break;
			case '\t': Out += "\\t"; break;
			default:
				if (static_cast<unsigned char>(C) < 0x20)
				{
					char Escaped[8];
					std::snprintf(Escaped, sizeof(Escaped), "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(C)));
					Out += Escaped;
				}
				else
				{
					Out.push_back(C);
				}
			}
		}
		Out.push_back('"');
		return Out;
	}
}
