// The MixPlay runtime module. It links the prebuilt native library (the Rust crate `mixplay`,
// built with cargo) as a third-party dependency from Source/ThirdParty/mixplay:
//
//   Source/ThirdParty/mixplay/include/        mixplay.h, mixplay.hpp
//   Source/ThirdParty/mixplay/lib/Win64/      mixplay.dll, mixplay.dll.lib
//   Source/ThirdParty/mixplay/lib/Linux/      libmixplay.a (preferred) or libmixplay.so
//   Source/ThirdParty/mixplay/lib/LinuxArm64/ the same, for arm64
//   Source/ThirdParty/mixplay/lib/Mac/        libmixplay.dylib (universal, or one architecture)
//
// scripts/package.sh stages every platform it can build into the plugin zip; on one machine,
// bindings/unreal/stage.sh stages its own platform. Each platform present is linked, and its
// shared library staged next to the game with RuntimeDependencies.
//
// A platform without its files builds a "null" module (MIXPLAY_WITH_NATIVE=0): everything
// compiles and every call reports Unavailable, so a project still builds for other targets.
using System.IO;
using UnrealBuildTool;

public class MixPlay : ModuleRules
{
	public MixPlay(ReadOnlyTargetRules Target) : base(Target)
	{
		PCHUsage = PCHUsageMode.UseExplicitOrSharedPCHs;
		// The C++ wrapper reports failed calls as exceptions; the subsystem catches them at its edge.
		bEnableExceptions = true;

		PublicDependencyModuleNames.AddRange(new string[] { "Core", "CoreUObject", "Engine", "DeveloperSettings" });
		PrivateDependencyModuleNames.AddRange(new string[] { "Projects" });

		string ThirdPartyDir = Path.GetFullPath(Path.Combine(ModuleDirectory, "..", "ThirdParty", "mixplay"));
		string IncludeDir = Path.Combine(ThirdPartyDir, "include");
		string LibDir = Path.Combine(ThirdPartyDir, "lib", Target.Platform.ToString());
		bool bHeaders = File.Exists(Path.Combine(IncludeDir, "mixplay.h")) && File.Exists(Path.Combine(IncludeDir, "mixplay.hpp"));
		bool bNative = false;
		bool bDynamic = false;

		if (bHeaders && Target.Platform == UnrealTargetPlatform.Win64)
		{
			string ImportLib = Path.Combine(LibDir, "mixplay.dll.lib");
			string Dll = Path.Combine(LibDir, "mixplay.dll");
			if (File.Exists(ImportLib) && File.Exists(Dll))
			{
				PublicAdditionalLibraries.Add(ImportLib);
				// Loaded by FMixPlayModule::StartupModule from the staged copy, before the first call.
				PublicDelayLoadDLLs.Add("mixplay.dll");
				RuntimeDependencies.Add("$(BinaryOutputDir)/mixplay.dll", Dll);
				bNative = true;
				bDynamic = true;
			}
		}
		else if (bHeaders && Target.IsInPlatformGroup(UnrealPlatformGroup.Linux)) // Linux and LinuxArm64
		{
			string StaticLib = Path.Combine(LibDir, "libmixplay.a");
			string SharedLib = Path.Combine(LibDir, "libmixplay.so");
			if (File.Exists(StaticLib))
			{
				// Linked in: nothing to stage. The Rust standard library needs these.
				PublicAdditionalLibraries.Add(StaticLib);
				PublicSystemLibraries.AddRange(new string[] { "pthread", "dl", "m" });
				bNative = true;
			}
			else if (File.Exists(SharedLib))
			{
				// Linked normally (Linux has no delay-loading) and found at run time next to the module.
				// The .so needs the soname libmixplay.so (stage.sh builds it with one), or the
				// module would record the absolute build path.
				PublicAdditionalLibraries.Add(SharedLib);
				RuntimeDependencies.Add("$(BinaryOutputDir)/libmixplay.so", SharedLib);
				bNative = true;
			}
		}
		else if (bHeaders && Target.Platform == UnrealTargetPlatform.Mac)
		{
			string Dylib = Path.Combine(LibDir, "libmixplay.dylib");
			if (File.Exists(Dylib))
			{
				PublicDelayLoadDLLs.Add(Dylib);
				RuntimeDependencies.Add("$(BinaryOutputDir)/libmixplay.dylib", Dylib);
				bNative = true;
				bDynamic = true;
			}
		}

		if (bNative)
		{
			PrivateIncludePaths.Add(IncludeDir);
		}
		else
		{
			System.Console.WriteLine("MixPlay: no native library for " + Target.Platform + " in " + LibDir + " (or no headers in " + IncludeDir + "); building the null module. See bindings/unreal/MixPlay/README.md.");
		}
		PrivateDefinitions.Add("MIXPLAY_WITH_NATIVE=" + (bNative ? "1" : "0"));
		PrivateDefinitions.Add("MIXPLAY_DYNAMIC_LIBRARY=" + (bDynamic ? "1" : "0"));
	}
}
