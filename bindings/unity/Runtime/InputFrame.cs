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
        // Recording an input appends to a list; the per-participant tables are built from the
        // lists only when the game first asks this frame, and then only for what came since.
        // A flood costs no string hashing unless the game looks participants up.
        sealed class Control
        {
            public readonly List<string> PressedBy = new List<string>();
            public readonly List<string> ReleasedBy = new List<string>();
            public readonly List<ScreenClick> Moves = new List<ScreenClick>();
            public readonly List<ScreenClick> ScreenDowns = new List<ScreenClick>();
            public readonly List<ScreenClick> ScreenUps = new List<ScreenClick>();
            public readonly List<TextSubmission> Changes = new List<TextSubmission>();

            readonly Dictionary<string, int> presses = new Dictionary<string, int>();
            readonly Dictionary<string, int> releases = new Dictionary<string, int>();
            readonly Dictionary<string, ScreenClick> lastMove = new Dictionary<string, ScreenClick>();
            int pressesIndexed, releasesIndexed, movesIndexed;

            public void Clear()
            {
                PressedBy.Clear();
                ReleasedBy.Clear();
                Moves.Clear();
                ScreenDowns.Clear();
                ScreenUps.Clear();
                Changes.Clear();
                presses.Clear();
                releases.Clear();
                lastMove.Clear();
                pressesIndexed = releasesIndexed = movesIndexed = 0;
            }

            static Dictionary<string, int> Counted(Dictionary<string, int> counts, List<string> who, ref int indexed)
            {
                for (; indexed < who.Count; indexed++)
                {
                    int n;
                    counts.TryGetValue(who[indexed], out n);
                    counts[who[indexed]] = n + 1;
                }
                return counts;
            }

            public Dictionary<string, int> Presses
            {
                get { return Counted(presses, PressedBy, ref pressesIndexed); }
            }

            public Dictionary<string, int> Releases
            {
                get { return Counted(releases, ReleasedBy, ref releasesIndexed); }
            }

            public Dictionary<string, ScreenClick> LastMove
            {
                get
                {
                    for (; movesIndexed < Moves.Count; movesIndexed++)
                        lastMove[Moves[movesIndexed].ParticipantId] = Moves[movesIndexed];
                    return lastMove;
                }
            }
        }

        static readonly ScreenClick[] NoClicks = new ScreenClick[0];
        static readonly TextSubmission[] NoTexts = new TextSubmission[0];

        readonly Dictionary<string, Control> controls = new Dictionary<string, Control>();
        // The controls of the latest inputs by string object: the ids of inputs come from the
        // session's pool, so a control's id is nearly always the same object, found by comparing
        // references instead of hashing its text. Round-robin replacement.
        const int Recent = 8;
        readonly string[] recentIds = new string[Recent];
        readonly Control[] recent = new Control[Recent];
        int nextRecent;
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
            dirty = true;
            for (int i = 0; i < Recent; i++)
                if (ReferenceEquals(recentIds[i], control)) return recent[i];
            Control c;
            if (!controls.TryGetValue(control, out c))
            {
                c = new Control();
                controls.Add(control, c);
            }
            recentIds[nextRecent] = control;
            recent[nextRecent] = c;
            nextRecent = (nextRecent + 1) % Recent;
            return c;
        }

        /// <summary>Takes note of an input handed to the game.</summary>
        public void Record(MixPlayInput input)
        {
            Control c = For(input.ControlId);
            string who = input.ParticipantId;
            ButtonInput button = input as ButtonInput;
            if (button != null)
            {
                (button.IsDown ? c.PressedBy : c.ReleasedBy).Add(who);
                if (button.HasPosition)
                    (button.IsDown ? c.ScreenDowns : c.ScreenUps).Add(new ScreenClick(who, button.X, button.Y));
                return;
            }
            MoveInput move = input as MoveInput;
            if (move != null)
            {
                c.Moves.Add(new ScreenClick(who, move.X, move.Y));
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
