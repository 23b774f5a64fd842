// Layer 4: the token store the manager uses by default, in Unity's PlayerPrefs. PlayerPrefs are
// plain text on the player's machine (the registry on Windows, a plist on macOS, a file on
// Linux): a game that wants the tokens encrypted or kept per player gives the manager its own
// IMixPlayTokenStore instead.
using UnityEngine;

namespace MixPlay.Unity
{
    /// <summary>Keeps signed-in tokens in PlayerPrefs under one key.</summary>
    public sealed class PlayerPrefsTokenStore : IMixPlayTokenStore
    {
        readonly string key;

        public PlayerPrefsTokenStore(string key = "MixPlay.Tokens")
        {
            this.key = key;
        }

        public bool TryLoad(out MixPlayTokens tokens)
        {
            return MixPlayTokens.TryParse(PlayerPrefs.GetString(key, ""), out tokens);
        }

        public void Save(MixPlayTokens tokens)
        {
            PlayerPrefs.SetString(key, tokens.Serialize());
            PlayerPrefs.Save();
        }

        public void Clear()
        {
            PlayerPrefs.DeleteKey(key);
            PlayerPrefs.Save();
        }
    }
}
