// Layer 3: the input frame ended by the last Update, read the way engines read input:
// GetButtonDown-style helpers for every control kind.
using System;
using System.Collections.Generic;

namespace MixPlay
{
    public sealed unsafe partial class MixPlaySession
    {
        // ----- polling helpers (the input frame ended by the last Update) -----

        void ButtonCounts(string control, out uint presses, out uint releases)
        {
            uint p, r;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_button_counts(H, c, &p, &r);
            MixPlayException.Check(rc, "mixplay_session_button_counts");
            presses = p;
            releases = r;
        }

        /// <summary>How many times the button was pressed (mousedown/keydown) this frame.</summary>
        public int GetButtonDownCount(string control)
        {
            uint p, r;
            ButtonCounts(control, out p, out r);
            return (int)p;
        }

        /// <summary>How many times the button was released this frame.</summary>
        public int GetButtonUpCount(string control)
        {
            uint p, r;
            ButtonCounts(control, out p, out r);
            return (int)r;
        }

        /// <summary>How many participants hold the button down right now.</summary>
        public int GetButtonHeldCount(string control)
        {
            UIntPtr n;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_button_holder_count(H, c, &n);
            MixPlayException.Check(rc, "mixplay_session_button_holder_count");
            return (int)n.ToUInt32();
        }

        /// <summary>Whether anyone pressed the button this frame.</summary>
        public bool GetButtonDown(string control)
        {
            return GetButtonDownCount(control) > 0;
        }

        /// <summary>Whether anyone released the button this frame.</summary>
        public bool GetButtonUp(string control)
        {
            return GetButtonUpCount(control) > 0;
        }

        /// <summary>Whether anyone holds the button down now, or pressed it this frame (so a
        /// press and release within one frame still reads as held for that frame).</summary>
        public bool GetButton(string control)
        {
            return GetButtonHeldCount(control) > 0 || GetButtonDownCount(control) > 0;
        }

        static bool Same(mixplay_str s, byte[] nulTerminated)
        {
            int n = nulTerminated.Length - 1;
            if ((ulong)n != s.len.ToUInt64()) return false;
            byte* p = (byte*)s.ptr;
            for (int i = 0; i < n; i++)
                if (p[i] != nulTerminated[i]) return false;
            return true;
        }

        /// <summary>Whether this participant pressed the button this frame.</summary>
        public bool GetButtonDown(string control, string participantId)
        {
            byte[] who = Utf8.Required(participantId, "participantId");
            byte[] c = Utf8.Id(control, "control");
            uint presses, releases;
            ButtonCounts(control, out presses, out releases);
            for (uint i = 0; i < presses; i++)
            {
                mixplay_str s;
                fixed (byte* cp = c)
                    MixPlayException.Check(Native.mixplay_session_button_presser_at(H, cp, (UIntPtr)i, &s), "mixplay_session_button_presser_at");
                if (Same(s, who)) return true;
            }
            return false;
        }

        /// <summary>Whether this participant holds the button down now, or pressed it this frame.</summary>
        public bool GetButton(string control, string participantId)
        {
            byte[] who = Utf8.Required(participantId, "participantId");
            byte[] c = Utf8.Id(control, "control");
            int n = GetButtonHeldCount(control);
            for (int i = 0; i < n; i++)
            {
                mixplay_str s;
                fixed (byte* cp = c)
                    MixPlayException.Check(Native.mixplay_session_button_holder_at(H, cp, (UIntPtr)(uint)i, &s), "mixplay_session_button_holder_at");
                if (Same(s, who)) return true;
            }
            return GetButtonDown(control, participantId);
        }

        /// <summary>Whether this participant released the button this frame. (The C API has no
        /// per-participant release list, so this one is kept by the wrapper from the frame's
        /// events.)</summary>
        public bool GetButtonUp(string control, string participantId)
        {
            return frame.Releases(control, participantId) > 0;
        }

        /// <summary>How many times this participant pressed the button this frame.</summary>
        public int GetButtonDownCount(string control, string participantId)
        {
            return frame.Presses(control, participantId);
        }

        /// <summary>How many times this participant released the button this frame.</summary>
        public int GetButtonUpCount(string control, string participantId)
        {
            return frame.Releases(control, participantId);
        }

        /// <summary>The session id of the participant signed in as <paramref name="userId"/>, or
        /// null when they are not here.</summary>
        string SessionOf(uint userId)
        {
            MixPlayParticipant p;
            return TryGetParticipantByUserId(userId, out p) ? p.SessionId : null;
        }

        /// <summary>Whether the viewer with this user id pressed the button this frame.</summary>
        public bool GetButtonDown(string control, uint userId)
        {
            string who = SessionOf(userId);
            return who != null && GetButtonDown(control, who);
        }

        /// <summary>Whether the viewer with this user id holds the button, or pressed it this frame.</summary>
        public bool GetButton(string control, uint userId)
        {
            string who = SessionOf(userId);
            return who != null && GetButton(control, who);
        }

        /// <summary>Whether the viewer with this user id released the button this frame.</summary>
        public bool GetButtonUp(string control, uint userId)
        {
            string who = SessionOf(userId);
            return who != null && GetButtonUp(control, who);
        }

        /// <summary>Who pressed the button this frame, in order (twice if they pressed twice).</summary>
        public IReadOnlyList<string> GetButtonPressers(string control)
        {
            byte[] c = Utf8.Id(control, "control");
            uint presses, releases;
            ButtonCounts(control, out presses, out releases);
            List<string> list = new List<string>((int)presses);
            for (uint i = 0; i < presses; i++)
            {
                mixplay_str s;
                fixed (byte* cp = c)
                    MixPlayException.Check(Native.mixplay_session_button_presser_at(H, cp, (UIntPtr)i, &s), "mixplay_session_button_presser_at");
                list.Add(s.ToString());
            }
            return list;
        }

        /// <summary>Who holds the button down now.</summary>
        public IReadOnlyList<string> GetButtonHolders(string control)
        {
            byte[] c = Utf8.Id(control, "control");
            int n = GetButtonHeldCount(control);
            List<string> list = new List<string>(n);
            for (int i = 0; i < n; i++)
            {
                mixplay_str s;
                fixed (byte* cp = c)
                    MixPlayException.Check(Native.mixplay_session_button_holder_at(H, cp, (UIntPtr)(uint)i, &s), "mixplay_session_button_holder_at");
                list.Add(s.ToString());
            }
            return list;
        }

        /// <summary>The mean joystick (or screen) position of this frame's moves; false (and 0, 0)
        /// when there were none, so a game can keep the previous position.</summary>
        public bool TryGetJoystick(string control, out double x, out double y)
        {
            int moves;
            Joystick(control, out x, out y, out moves);
            return moves > 0;
        }

        /// <summary>How many moves the joystick got this frame.</summary>
        public int GetJoystickMoveCount(string control)
        {
            double x, y;
            int moves;
            Joystick(control, out x, out y, out moves);
            return moves;
        }

        /// <summary>The mean X of this frame's moves (0 when none).</summary>
        public double GetJoystickX(string control)
        {
            double x, y;
            int moves;
            Joystick(control, out x, out y, out moves);
            return x;
        }

        /// <summary>The mean Y of this frame's moves (0 when none).</summary>
        public double GetJoystickY(string control)
        {
            double x, y;
            int moves;
            Joystick(control, out x, out y, out moves);
            return y;
        }

        /// <summary>Where this participant last moved the joystick this frame; false (and 0, 0)
        /// when they did not.</summary>
        public bool TryGetJoystick(string control, string participantId, out double x, out double y)
        {
            return frame.TryGetLastMove(control, participantId, out x, out y);
        }

        /// <summary>This participant's last joystick X this frame (0 when none).</summary>
        public double GetJoystickX(string control, string participantId)
        {
            double x, y;
            frame.TryGetLastMove(control, participantId, out x, out y);
            return x;
        }

        /// <summary>This participant's last joystick Y this frame (0 when none).</summary>
        public double GetJoystickY(string control, string participantId)
        {
            double x, y;
            frame.TryGetLastMove(control, participantId, out x, out y);
            return y;
        }

        // ----- screen controls (clicks and moves over the stream's video) -----

        /// <summary>Whether anyone pressed on the screen control this frame.</summary>
        public bool GetScreenDown(string control)
        {
            return GetButtonDown(control);
        }

        /// <summary>Whether anyone holds a press on the screen control, or pressed it this frame.</summary>
        public bool GetScreen(string control)
        {
            return GetButton(control);
        }

        /// <summary>Whether anyone released a press on the screen control this frame.</summary>
        public bool GetScreenUp(string control)
        {
            return GetButtonUp(control);
        }

        /// <summary>This frame's presses on the screen control, in order, with who and where
        /// (x, y from 0 to 1, from the top left).</summary>
        public IReadOnlyList<ScreenClick> GetScreenClicks(string control)
        {
            return frame.ScreenDowns(control);
        }

        /// <summary>This frame's releases on the screen control, with who and where.</summary>
        public IReadOnlyList<ScreenClick> GetScreenReleases(string control)
        {
            return frame.ScreenUps(control);
        }

        /// <summary>The mean position of this frame's moves over the screen control; false when none.</summary>
        public bool TryGetScreenPosition(string control, out double x, out double y)
        {
            return TryGetJoystick(control, out x, out y);
        }

        /// <summary>Where this participant last moved over the screen control this frame.</summary>
        public bool TryGetScreenPosition(string control, string participantId, out double x, out double y)
        {
            return frame.TryGetLastMove(control, participantId, out x, out y);
        }

        void Joystick(string control, out double x, out double y, out int moves)
        {
            double mx, my;
            uint n;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_joystick_mean(H, c, &mx, &my, &n);
            MixPlayException.Check(rc, "mixplay_session_joystick_mean");
            x = mx;
            y = my;
            moves = (int)n;
        }

        /// <summary>How many texts were submitted to the textbox this frame.</summary>
        public int GetTextSubmissionCount(string control)
        {
            UIntPtr n;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_text_submission_count(H, c, &n);
            MixPlayException.Check(rc, "mixplay_session_text_submission_count");
            return (int)n.ToUInt32();
        }

        /// <summary>The texts submitted to the textbox this frame, in order, with their senders.</summary>
        public IReadOnlyList<TextSubmission> GetTextSubmissions(string control)
        {
            byte[] c = Utf8.Id(control, "control");
            int n = GetTextSubmissionCount(control);
            List<TextSubmission> list = new List<TextSubmission>(n);
            for (int i = 0; i < n; i++)
            {
                mixplay_str who, text;
                fixed (byte* cp = c)
                    MixPlayException.Check(Native.mixplay_session_text_submission_at(H, cp, (UIntPtr)(uint)i, &who, &text),
                                           "mixplay_session_text_submission_at");
                list.Add(new TextSubmission(who.ToString(), text.ToString()));
            }
            return list;
        }

        /// <summary>Whether anything was submitted to the textbox this frame.</summary>
        public bool HasSubmissions(string control)
        {
            return GetTextSubmissionCount(control) > 0;
        }

        /// <summary>What this participant submitted to the textbox this frame, in order.</summary>
        public IReadOnlyList<string> GetTextSubmissions(string control, string participantId)
        {
            List<string> texts = new List<string>();
            foreach (TextSubmission t in GetTextSubmissions(control))
                if (t.ParticipantId == participantId) texts.Add(t.Text);
            return texts;
        }

        /// <summary>This frame's typing in the textbox (changes sent as viewers type, when it has
        /// no submit button), in order, with their senders.</summary>
        public IReadOnlyList<TextSubmission> GetTextChanges(string control)
        {
            return frame.Changes(control);
        }
    }
}
