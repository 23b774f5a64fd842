#!/usr/bin/env bash
# Writes the missing Unity .meta files of the Unity package (bindings/unity), with stable GUIDs:
# a file's GUID is the MD5 of "com.mixplay.sdk/<its path in the package>", so the same path always
# gets the same GUID and nothing depends on when or where this runs. Existing .meta files are never
# touched: commit the new ones. Unity ignores folders ending in "~" (Samples~, Plugins~) and
# dotfiles, and so does this script.
#
# The native plugins are added by scripts/package.sh; their .meta files (with the platform and
# CPU each library is for) live in bindings/unity/Plugins~/, at the path they take in the package.
#
# Usage: scripts/unity-metas.sh          write what is missing, and list it
#        scripts/unity-metas.sh --check  list missing and orphaned .meta files; fail if any
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
unity="$root/bindings/unity"
check=0
case "${1:-}" in
    --check) check=1 ;;
    "") ;;
    *) echo "usage: scripts/unity-metas.sh [--check]" >&2; exit 2 ;;
esac

guid_of() { printf 'com.mixplay.sdk/%s' "$1" | md5sum | cut -c1-32; }

# The importer section Unity writes for each kind of asset.
importer_of() {
    case "$1" in
        */) printf 'folderAsset: yes\nDefaultImporter:\n  externalObjects: {}\n' ;;
        *.cs) printf 'MonoImporter:\n  externalObjects: {}\n  serializedVersion: 2\n  defaultReferences: []\n  executionOrder: 0\n  icon: {instanceID: 0}\n' ;;
        *.asmdef) printf 'AssemblyDefinitionImporter:\n  externalObjects: {}\n' ;;
        package.json) printf 'PackageManifestImporter:\n  externalObjects: {}\n' ;;
        *.md|*.txt|*.json) printf 'TextScriptImporter:\n  externalObjects: {}\n' ;;
        *) printf 'DefaultImporter:\n  externalObjects: {}\n' ;;
    esac
}

# One platform entry of a PluginImporter: enabled flag, CPU ("None" when disabled), other settings.
platform_entry() { # first-line enabled cpu [setting...]
    printf '  - first:\n      %s\n    second:\n      enabled: %s\n      settings:\n' "$1" "$2"
    printf '        CPU: %s\n' "$3"
    shift 3
    local setting
    for setting in "$@"; do printf '        %s\n' "$setting"; done
}

# A native plugin's importer: which editor and player may load it, on which CPU.
#   plugin_importer EDITOR_OS EDITOR_CPU PLAYER PLAYER_CPU   (EDITOR_OS "-" = not in the editor)
plugin_importer() {
    local editor_os="$1" editor_cpu="$2" player="$3" player_cpu="$4" p
    printf 'PluginImporter:\n  externalObjects: {}\n  serializedVersion: 2\n  iconMap: {}\n  executionOrder: {}\n'
    printf '  defineConstraints: []\n  isPreloaded: 0\n  isOverridable: 1\n  isExplicitlyReferenced: 0\n  validateReferences: 1\n'
    printf '  platformData:\n  - first:\n      : Any\n    second:\n      enabled: 0\n      settings:\n'
    printf '        Exclude Editor: %d\n' "$([ "$editor_os" = - ] && echo 1 || echo 0)"
    for p in Linux64 OSXUniversal Win Win64; do
        printf '        Exclude %s: %d\n' "$p" "$([ "$p" = "$player" ] && echo 0 || echo 1)"
    done
    printf '  - first:\n      Any: \n    second:\n      enabled: 0\n      settings: {}\n'
    if [ "$editor_os" = - ]; then
        platform_entry "Editor: Editor" 0 None "DefaultValueInitialized: true" "OS: AnyOS"
    else
        platform_entry "Editor: Editor" 1 "$editor_cpu" "DefaultValueInitialized: true" "OS: $editor_os"
    fi
    for p in Linux64 OSXUniversal Win Win64; do
        if [ "$p" = "$player" ]; then
            platform_entry "Standalone: $p" 1 "$player_cpu"
        else
            platform_entry "Standalone: $p" 0 None
        fi
    done
}

meta_text() { # package-relative path (folders end with /) [importer text]
    local rel="$1" body="${2:-}"
    [ -n "$body" ] || body="$(importer_of "$rel")"
    printf 'fileFormatVersion: 2\nguid: %s\n%s\n  userData: \n  assetBundleName: \n  assetBundleVariant: \n' \
        "$(guid_of "${rel%/}")" "$body"
}

missing=()
write_meta() { # meta-file package-relative-path [importer text]
    [ -f "$1" ] && return 0
    missing+=("${1#"$root/"}")
    [ "$check" = 1 ] && return 0
    mkdir -p "$(dirname "$1")"
    meta_text "$2" "${3:-}" >"$1"
}

# The package's own files and folders.
while IFS= read -r -d '' path; do
    rel="${path#"$unity/"}"
    [ -d "$path" ] && rel="$rel/"
    write_meta "${path%/}.meta" "$rel"
done < <(find "$unity" -mindepth 1 \( -name '*~' -o -name '.*' \) -prune -o ! -name '*.meta' -print0 | sort -z)

# The native plugins scripts/package.sh adds, and their folders: Plugins~/<path in the package>.meta
overlay="$unity/Plugins~"
for folder in Plugins/ Plugins/Linux/ Plugins/Linux/x86_64/ Plugins/Linux/arm64/ \
    Plugins/Windows/ Plugins/Windows/x86_64/ Plugins/macOS/; do
    write_meta "$overlay/Runtime/${folder%/}.meta" "Runtime/$folder"
done
plugin_meta() { # path-in-Runtime/Plugins importer-arguments...
    write_meta "$overlay/Runtime/Plugins/$1.meta" "Runtime/Plugins/$1" "$(plugin_importer "${@:2}")"
}
plugin_meta Linux/x86_64/libmixplay.so Linux x86_64 Linux64 x86_64
# Unity's editor does not run on Linux arm64; the player does (Unity 6).
plugin_meta Linux/arm64/libmixplay.so - None Linux64 ARM64
plugin_meta Windows/x86_64/mixplay.dll Windows x86_64 Win64 x86_64
# Universal (x86_64 + arm64); scripts/package.sh narrows the CPU when it ships one architecture.
plugin_meta macOS/libmixplay.dylib OSX AnyCPU OSXUniversal AnyCPU

# .meta files whose asset is gone (outside Plugins~, whose assets come from the build).
orphans=()
while IFS= read -r -d '' meta; do
    [ -e "${meta%.meta}" ] || orphans+=("${meta#"$root/"}")
done < <(find "$unity" \( -name '*~' -o -name '.*' \) -prune -o -name '*.meta' -print0 | sort -z)

if [ "$check" = 1 ]; then
    for m in "${missing[@]}"; do echo "missing: $m"; done
    for m in "${orphans[@]}"; do echo "orphaned: $m"; done
    [ ${#missing[@]} -eq 0 ] && [ ${#orphans[@]} -eq 0 ]
else
    for m in "${missing[@]}"; do echo "wrote $m"; done
    for m in "${orphans[@]}"; do echo "orphaned (delete it if its asset is really gone): $m"; done
fi
