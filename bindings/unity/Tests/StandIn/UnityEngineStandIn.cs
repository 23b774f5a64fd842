// STAND-IN, NOT UNITY. The few UnityEngine / UnityEditor declarations MixPlayManager uses, with
// the same names and shapes as Unity's, so tests/unity.rs can compile Runtime/Unity with mcs
// where no Unity is installed. Compiling against this proves only that the manager uses these
// members consistently; it says nothing about Unity's behaviour. Never part of a Unity build
// (its asmdef has a define constraint nobody sets).
using System;

namespace UnityEngine
{
    public class Object
    {
        public string name;

        public static void DontDestroyOnLoad(Object target) { }

        public static void Destroy(Object obj) { }

        public static implicit operator bool(Object o)
        {
            return !ReferenceEquals(o, null);
        }
    }

    public class GameObject : Object { }

    public class Component : Object
    {
        public GameObject gameObject;
    }

    public class Behaviour : Component
    {
        public bool enabled;
    }

    public class MonoBehaviour : Behaviour { }

    [AttributeUsage(AttributeTargets.Field)]
    public sealed class SerializeField : Attribute { }

    [AttributeUsage(AttributeTargets.Field)]
    public class PropertyAttribute : Attribute { }

    public sealed class TooltipAttribute : PropertyAttribute
    {
        public TooltipAttribute(string tooltip) { }
    }

    public sealed class HeaderAttribute : PropertyAttribute
    {
        public HeaderAttribute(string header) { }
    }

    [AttributeUsage(AttributeTargets.Class)]
    public sealed class DisallowMultipleComponent : Attribute { }

    [AttributeUsage(AttributeTargets.Class)]
    public sealed class AddComponentMenu : Attribute
    {
        public AddComponentMenu(string menuName) { }
    }

    public struct Rect
    {
        public float x, y, width, height;

        public Rect(float x, float y, float width, float height)
        {
            this.x = x;
            this.y = y;
            this.width = width;
            this.height = height;
        }
    }

    public static class GUI
    {
        public static void Box(Rect position, string text) { }
    }

    public static class Debug
    {
        public static void Log(object message) { }

        public static void LogWarning(object message) { }

        public static void LogError(object message) { }

        public static void LogException(Exception exception) { }

        public static void LogException(Exception exception, Object context) { }
    }

    public static class PlayerPrefs
    {
        public static string GetString(string key, string defaultValue) { return defaultValue; }

        public static void SetString(string key, string value) { }

        public static bool HasKey(string key) { return false; }

        public static void DeleteKey(string key) { }

        public static void Save() { }
    }
}

#if UNITY_EDITOR
namespace UnityEditor
{
    public static class AssemblyReloadEvents
    {
        public delegate void AssemblyReloadCallback();

        public static event AssemblyReloadCallback beforeAssemblyReload;

        public static event AssemblyReloadCallback afterAssemblyReload;

        internal static void Raise()
        {
            if (beforeAssemblyReload != null) beforeAssemblyReload();
            if (afterAssemblyReload != null) afterAssemblyReload();
        }
    }
}
#endif
