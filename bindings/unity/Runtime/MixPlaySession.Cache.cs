// Layer 3: what the session's cache holds: control properties, scenes, groups, participants.
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace MixPlay
{
    public sealed unsafe partial class MixPlaySession
    {
        // ----- control property getters (the cache) -----

        static bool Missing(MixPlayResult rc)
        {
            return rc == MixPlayResult.NotFound || rc == MixPlayResult.WrongType;
        }

        /// <summary>Reads an integer property; false if the control or property is missing or
        /// holds another type. <paramref name="meta"/> reads meta.key.value.</summary>
        public bool TryGetControlInt(string control, string key, out long value, bool meta = false)
        {
            long v;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
                rc = Native.mixplay_session_get_control_int(H, c, k, meta, &v);
            value = rc == MixPlayResult.Ok ? v : 0;
            if (Missing(rc)) return false;
            MixPlayException.Check(rc, "mixplay_session_get_control_int");
            return true;
        }

        public long GetControlInt(string control, string key, bool meta = false)
        {
            long v;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
                rc = Native.mixplay_session_get_control_int(H, c, k, meta, &v);
            MixPlayException.Check(rc, "mixplay_session_get_control_int");
            return v;
        }

        public bool TryGetControlFloat(string control, string key, out double value, bool meta = false)
        {
            double v;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
                rc = Native.mixplay_session_get_control_float(H, c, k, meta, &v);
            value = rc == MixPlayResult.Ok ? v : 0;
            if (Missing(rc)) return false;
            MixPlayException.Check(rc, "mixplay_session_get_control_float");
            return true;
        }

        public double GetControlFloat(string control, string key, bool meta = false)
        {
            double v;
            if (!TryGetControlFloat(control, key, out v, meta)) ThrowLast("mixplay_session_get_control_float", control, key);
            return v;
        }

        public bool TryGetControlBool(string control, string key, out bool value, bool meta = false)
        {
            byte v;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
                rc = Native.mixplay_session_get_control_bool(H, c, k, meta, &v);
            value = rc == MixPlayResult.Ok && v != 0;
            if (Missing(rc)) return false;
            MixPlayException.Check(rc, "mixplay_session_get_control_bool");
            return true;
        }

        public bool GetControlBool(string control, string key, bool meta = false)
        {
            bool v;
            if (!TryGetControlBool(control, key, out v, meta)) ThrowLast("mixplay_session_get_control_bool", control, key);
            return v;
        }

        /// <summary>Reads a string property (copied out through a caller buffer, resized on
        /// BUFFER_TOO_SMALL).</summary>
        public bool TryGetControlString(string control, string key, out string value, bool meta = false)
        {
            value = null;
            byte[] c = Utf8.Id(control, "control");
            byte[] k = Utf8.Id(key, "key");
            byte[] buf = null;
            for (int attempt = 0; attempt < 4; attempt++)
            {
                UIntPtr len;
                MixPlayResult rc;
                fixed (byte* cp = c)
                fixed (byte* kp = k)
                fixed (byte* bp = buf)
                    rc = Native.mixplay_session_get_control_string(H, cp, kp, meta, bp, (UIntPtr)(buf == null ? 0 : buf.Length), &len);
                if (rc == MixPlayResult.Ok)
                {
                    value = System.Text.Encoding.UTF8.GetString(buf, 0, (int)len.ToUInt32());
                    return true;
                }
                if (rc == MixPlayResult.BufferTooSmall)
                {
                    buf = new byte[(int)len.ToUInt32() + 1];
                    continue;
                }
                if (Missing(rc)) return false;
                MixPlayException.Check(rc, "mixplay_session_get_control_string");
            }
            throw new InvalidOperationException("the property kept changing size while being read");
        }

        public string GetControlString(string control, string key, bool meta = false)
        {
            string v;
            if (!TryGetControlString(control, key, out v, meta)) ThrowLast("mixplay_session_get_control_string", control, key);
            return v;
        }

        /// <summary>A property (any type) as JSON text, or null if missing.</summary>
        public string GetControlPropertyJson(string control, string key, bool meta = false)
        {
            mixplay_str s;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
                rc = Native.mixplay_session_get_control_json(H, c, k, meta, &s);
            if (rc == MixPlayResult.NotFound) return null;
            MixPlayException.Check(rc, "mixplay_session_get_control_json");
            return s.ToString();
        }

        /// <summary>A whole control as JSON text, or null if the cache has no such control.</summary>
        public string GetControlJson(string control)
        {
            mixplay_str s;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_get_control(H, c, &s);
            if (rc == MixPlayResult.NotFound) return null;
            MixPlayException.Check(rc, "mixplay_session_get_control");
            return s.ToString();
        }

        void ThrowLast(string function, string control, string key)
        {
            string detail = MixPlayLibrary.LastError();
            throw new MixPlayException(MixPlayResult.NotFound, function,
                                       detail.Length > 0 ? detail : "control " + control + " has no property " + key + " of that type");
        }

        // ----- collections from the cache (snapshots) -----

        public IReadOnlyList<MixPlayScene> Scenes
        {
            get
            {
                UIntPtr n;
                MixPlayException.Check(Native.mixplay_session_scene_count(H, &n), "mixplay_session_scene_count");
                List<string> ids = new List<string>((int)n.ToUInt32());
                for (uint i = 0; i < n.ToUInt32(); i++)
                {
                    mixplay_str s;
                    MixPlayException.Check(Native.mixplay_session_scene_at(H, (UIntPtr)i, &s), "mixplay_session_scene_at");
                    ids.Add(s.ToString());
                }
                List<MixPlayScene> scenes = new List<MixPlayScene>(ids.Count);
                foreach (string id in ids) scenes.Add(new MixPlayScene(id, ControlsIn(id)));
                return scenes;
            }
        }

        /// <summary>The controls of a scene (empty if the cache has no such scene).</summary>
        public IReadOnlyList<MixPlayControl> ControlsIn(string sceneId)
        {
            List<MixPlayControl> list = new List<MixPlayControl>();
            byte[] scene = Utf8.Id(sceneId, "sceneId");
            UIntPtr n;
            MixPlayResult rc;
            fixed (byte* s = scene)
                rc = Native.mixplay_session_control_count(H, s, &n);
            if (rc == MixPlayResult.NotFound) return list;
            MixPlayException.Check(rc, "mixplay_session_control_count");
            for (uint i = 0; i < n.ToUInt32(); i++)
            {
                mixplay_str c;
                fixed (byte* s = scene)
                    MixPlayException.Check(Native.mixplay_session_control_at(H, s, (UIntPtr)i, &c), "mixplay_session_control_at");
                list.Add(new MixPlayControl(this, c.ToString(), sceneId));
            }
            return list;
        }

        /// <summary>A control by id (reads and writes go through the cache; it need not exist yet).</summary>
        public MixPlayControl Control(string controlId)
        {
            if (controlId == null) throw new ArgumentNullException("controlId");
            return new MixPlayControl(this, controlId, "");
        }

        public IReadOnlyList<MixPlayGroup> Groups
        {
            get
            {
                UIntPtr n;
                MixPlayException.Check(Native.mixplay_session_group_count(H, &n), "mixplay_session_group_count");
                List<MixPlayGroup> list = new List<MixPlayGroup>((int)n.ToUInt32());
                for (uint i = 0; i < n.ToUInt32(); i++)
                {
                    mixplay_str g, s;
                    MixPlayException.Check(Native.mixplay_session_group_at(H, (UIntPtr)i, &g, &s), "mixplay_session_group_at");
                    list.Add(new MixPlayGroup(g.ToString(), s.ToString()));
                }
                return list;
            }
        }

        public int ParticipantCount
        {
            get
            {
                UIntPtr n;
                MixPlayException.Check(Native.mixplay_session_participant_count(H, &n), "mixplay_session_participant_count");
                return (int)n.ToUInt32();
            }
        }

        static readonly mixplay_participant_fn Collector = Collect;

        [MonoPInvokeCallback(typeof(mixplay_participant_fn))]
        static bool Collect(IntPtr userData, mixplay_participant* p)
        {
            // Runs inside for_each_participant: no mixplay calls, no exceptions into native code.
            try
            {
                List<MixPlayParticipant> list = (List<MixPlayParticipant>)GCHandle.FromIntPtr(userData).Target;
                list.Add(new MixPlayParticipant(ref *p));
                return true;
            }
            catch (Exception e)
            {
                MixPlayLibrary.Report(e);
                return false;
            }
        }

        /// <summary>Every participant in the cache.</summary>
        public IReadOnlyList<MixPlayParticipant> Participants
        {
            get
            {
                List<MixPlayParticipant> list = new List<MixPlayParticipant>();
                GCHandle gc = GCHandle.Alloc(list);
                try
                {
                    MixPlayException.Check(Native.mixplay_session_for_each_participant(H, Collector, GCHandle.ToIntPtr(gc)),
                                           "mixplay_session_for_each_participant");
                }
                finally
                {
                    gc.Free();
                }
                return list;
            }
        }

        public IReadOnlyList<MixPlayParticipant> ParticipantsInGroup(string groupId)
        {
            List<MixPlayParticipant> list = new List<MixPlayParticipant>();
            foreach (MixPlayParticipant p in Participants)
                if (p.GroupId == groupId) list.Add(p);
            return list;
        }

        public IReadOnlyList<MixPlayParticipant> ParticipantsInScene(string sceneId)
        {
            HashSet<string> groups = new HashSet<string>();
            foreach (MixPlayGroup g in Groups)
                if (g.SceneId == sceneId) groups.Add(g.Id);
            List<MixPlayParticipant> list = new List<MixPlayParticipant>();
            foreach (MixPlayParticipant p in Participants)
                if (groups.Contains(p.GroupId)) list.Add(p);
            return list;
        }

        public bool TryGetParticipant(string sessionId, out MixPlayParticipant participant)
        {
            participant = null;
            if (sessionId == null) return false;
            mixplay_participant p;
            MixPlayResult rc;
            fixed (byte* s = Utf8.Encode(sessionId))
                rc = Native.mixplay_session_get_participant(H, s, &p);
            if (rc == MixPlayResult.NotFound) return false;
            MixPlayException.Check(rc, "mixplay_session_get_participant");
            participant = new MixPlayParticipant(ref p);
            return true;
        }

        public MixPlayParticipant GetParticipant(string sessionId)
        {
            if (sessionId == null) throw new ArgumentNullException("sessionId");
            mixplay_participant p;
            MixPlayResult rc;
            fixed (byte* s = Utf8.Encode(sessionId))
                rc = Native.mixplay_session_get_participant(H, s, &p);
            MixPlayException.Check(rc, "mixplay_session_get_participant");
            return new MixPlayParticipant(ref p);
        }

        public bool TryGetParticipantByUserId(uint userId, out MixPlayParticipant participant)
        {
            participant = null;
            mixplay_participant p;
            MixPlayResult rc = Native.mixplay_session_get_participant_by_user_id(H, userId, &p);
            if (rc == MixPlayResult.NotFound) return false;
            MixPlayException.Check(rc, "mixplay_session_get_participant_by_user_id");
            participant = new MixPlayParticipant(ref p);
            return true;
        }
    }
}
