// The per-frame input the C helpers do not keep, gathered from the input events an Update hands
// out: who released a button, each participant's presses, joystick and screen positions, screen
// clicks with their place, and typing. Cleared in place at the start of every Update, so a steady
// game loop stops allocating.
using System.Collections.Generic;

namespace MixPlay
{
    /// <summary>A press or release on a screen control: who, and where (0–1 from the top left).</summary>
    public struct ScreenClick
    {
        public string ParticipantId;
        public double X;
        public double Y;

        public ScreenClick(string participantId, double x, double y)
        {
            ParticipantId = participantId;
            X = x;
            Y = y;
        }
    }

    internal sealed class InputFrame
    {
        sealed class Control
        {
            public readonly Dictionary<string, int> Presses = new Dictionary<string, int>();
            public readonly Dictionary<string, int> Releases = new Dictionary<string, int>();
            public readonly Dictionary<string, ScreenClick> LastMove = new Dictionary<string, ScreenClick>();
            public readonly List<ScreenClick> ScreenDowns = new List<ScreenClick>();
            public readonly List<ScreenClick> ScreenUps = new List<ScreenClick>();
            public readonly List<TextSubmission> Changes = new List<TextSubmission>();

            public void Clear()
            {
                Presses.Clear();
                Releases.Clear();
                LastMove.Clear();
                ScreenDowns.Clear();
                ScreenUps.Clear();
                Changes.Clear();
            }
        }

        static readonly ScreenClick[] NoClicks = new ScreenClick[0];
        static readonly TextSubmission[] NoTexts = new TextSubmission[0];

        readonly Dictionary<string, Control> controls = new Dictionary<string, Control>();
        bool dirty;

        /// <summary>Starts a new frame.</summary>
        public void Clear()
        {
            if (!dirty) return;
            foreach (Control c in controls.Values) c.Clear();
            dirty = false;
        }

        Control For(string control)
        {
            Control c;
            if (!controls.TryGetValue(control, out c))
            {
                c = new Control();
                controls.Add(control, c);
            }
            dirty = true;
            return c;
        }

        static void Count(Dictionary<string, int> counts, string who)
        {
            int n;
            counts.TryGetValue(who, out n);
            counts[who] = n + 1;
        }

        /// <summary>Takes note of an input handed to the game.</summary>
        public void Record(MixPlayInput input)
        {
            Control c = For(input.ControlId);
            string who = input.ParticipantId;
            ButtonInput button = input as ButtonInput;
            if (button != null)
            {
                Count(button.IsDown ? c.Presses : c.Releases, who);
                if (button.HasPosition)
                    (button.IsDown ? c.ScreenDowns : c.ScreenUps).Add(new ScreenClick(who, button.X, button.Y));
                return;
            }
            MoveInput move = input as MoveInput;
            if (move != null)
            {
                c.LastMove[who] = new ScreenClick(who, move.X, move.Y);
                return;
            }
            TextInput text = input as TextInput;
            if (text != null && !text.IsSubmit) c.Changes.Add(new TextSubmission(who, text.Text));
        }

        Control Find(string control)
        {
            Control c;
            return controls.TryGetValue(control, out c) ? c : null;
        }

        static int CountOf(Dictionary<string, int> counts, string who)
        {
            int n;
            return counts.TryGetValue(who, out n) ? n : 0;
        }

        public int Presses(string control, string who)
        {
            Control c = Find(control);
            return c == null ? 0 : CountOf(c.Presses, who);
        }

        public int Releases(string control, string who)
        {
            Control c = Find(control);
            return c == null ? 0 : CountOf(c.Releases, who);
        }

        public bool TryGetLastMove(string control, string who, out double x, out double y)
        {
            Control c = Find(control);
            ScreenClick at;
            if (c != null && c.LastMove.TryGetValue(who, out at))
            {
                x = at.X;
                y = at.Y;
                return true;
            }
            x = y = 0;
            return false;
        }

        public IReadOnlyList<ScreenClick> ScreenDowns(string control)
        {
            Control c = Find(control);
            return c == null ? (IReadOnlyList<ScreenClick>)NoClicks : c.ScreenDowns.ToArray();
        }

        public IReadOnlyList<ScreenClick> ScreenUps(string control)
        {
            Control c = Find(control);
            return c == null ? (IReadOnlyList<ScreenClick>)NoClicks : c.ScreenUps.ToArray();
        }

        public IReadOnlyList<TextSubmission> Changes(string control)
        {
            Control c = Find(control);
            return c == null ? (IReadOnlyList<TextSubmission>)NoTexts : c.Changes.ToArray();
        }
    }
}
