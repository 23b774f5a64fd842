// STAND-IN for Unreal Engine's GameFramework/SaveGame.h (see CoreMinimal.h here).
#pragma once
#include "CoreMinimal.h"

class USaveGame : public UObject {};
