// Getting started with MixPlay in Unity. Put a MixPlayManager (Add Component > MixPlay > MixPlay
// Manager) and this component on one GameObject, set the manager's service URL, token and version
// id, and press Play: the sample gives the audience a Jump button, a costed Boost button and a
// joystick, and draws what they do in the corner of the screen.
using MixPlay.Unity;
using UnityEngine;

namespace MixPlay.Samples
{
    [AddComponentMenu("MixPlay/Samples/Getting Started")]
    public sealed class MixPlayGettingStarted : MonoBehaviour
    {
        [Tooltip("The scene the sample puts its controls on.")]
        [SerializeField] string sceneId = "default";

        const string Controls =
            "[{\"controlID\":\"jump\",\"kind\":\"button\",\"text\":\"Jump\"}," +
            "{\"controlID\":\"boost\",\"kind\":\"button\",\"text\":\"Boost\",\"cost\":10}," +
            "{\"controlID\":\"steer\",\"kind\":\"joystick\"}]";

        MixPlayManager manager;
        MixPlaySession session;
        string status = "waiting for MixPlay";
        int jumps;
        int boosts;
        float steerX, steerY;

        void Start()
        {
            manager = MixPlayManager.Instance;
            if (manager == null)
            {
                Debug.LogError("MixPlay sample: add a MixPlayManager to the scene first.");
                enabled = false;
                return;
            }
            manager.SessionStarted += OnSessionStarted;
            if (manager.Session != null) OnSessionStarted(manager.Session);
        }

        void OnDestroy()
        {
            if (manager != null) manager.SessionStarted -= OnSessionStarted;
            Unsubscribe();
        }

        void OnSessionStarted(MixPlaySession started)
        {
            Unsubscribe();
            session = started;
            session.ConnectionChanged += OnConnectionChanged;
            session.ParticipantJoined += OnParticipantJoined;
            session.ButtonInputReceived += OnButton;
        }

        void Unsubscribe()
        {
            if (session == null) return;
            session.ConnectionChanged -= OnConnectionChanged;
            session.ParticipantJoined -= OnParticipantJoined;
            session.ButtonInputReceived -= OnButton;
            session = null;
        }

        void OnConnectionChanged(object sender, ConnectionChangedEventArgs e)
        {
            status = "connection: " + e.State;
            if (e.State != MixPlayConnectionState.Connected) return;
            // Created on every (re)connect; an "already exists" reply after a reconnect is fine.
            session.CreateControls(sceneId, Controls).Then(reply =>
            {
                status = reply.Success ? "controls ready: press Jump on the participant page" : "controls: " + reply.Message;
            });
        }

        void OnParticipantJoined(object sender, ParticipantEventArgs e)
        {
            Debug.Log("MixPlay sample: " + e.Participant.Username + " joined");
        }

        void OnButton(object sender, ButtonInput input)
        {
            // A costed press carries a transaction: capture it, and act only once the sparks are charged.
            if (input.ControlId != "boost" || !input.IsDown || !input.HasTransaction) return;
            input.Capture().Then(reply =>
            {
                if (reply.Success) boosts++;
            });
        }

        void Update()
        {
            // The per-frame helpers describe the frame the manager's Update just handed out.
            if (MixPlayManager.GetButtonDown("jump")) jumps += MixPlayManager.GetButtonDownCount("jump");
            steerX = MixPlayManager.GetJoystickX("steer");
            steerY = MixPlayManager.GetJoystickY("steer");
        }

        void OnGUI()
        {
            GUI.Box(new Rect(10, 80, 460, 80),
                "MixPlay sample — " + status + "\njumps: " + jumps + "   boosts: " + boosts +
                "\nsteer: " + steerX.ToString("0.00") + ", " + steerY.ToString("0.00"));
        }
    }
}
