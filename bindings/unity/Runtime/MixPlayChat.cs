// Chat: a channel's chat as a C# object, drained by Update() like the session.
using System;
using System.Collections.Generic;

namespace MixPlay
{
    /// <summary>A chat message.</summary>
    public sealed class ChatMessage : EventArgs
    {
        public string Id { get; private set; }
        public uint UserId { get; private set; }
        public string UserName { get; private set; }
        /// <summary>The sender's roles as a JSON array, e.g. ["Owner","User"].</summary>
        public string RolesJson { get; private set; }
        /// <summary>The text of all the message's parts, joined.</summary>
        public string Text { get; private set; }
        public bool IsWhisper { get; private set; }
        /// <summary>A whisper's recipient.</summary>
        public string Target { get; private set; }
        /// <summary>A /me action.</summary>
        public bool IsAction { get; private set; }
        /// <summary>The whole message data (with its parts: text, emoticon, link, tag).</summary>
        public string Json { get; private set; }

        internal ChatMessage(ref mixplay_chat_event e)
        {
            Id = e.message_id.ToString();
            UserId = e.user_id;
            UserName = e.user_name.ToString();
            RolesJson = e.roles.ToString();
            Text = e.text.ToString();
            IsWhisper = e.whisper != 0;
            Target = e.target.ToString();
            IsAction = e.action != 0;
            Json = e.json.ToString();
        }

        public override string ToString()
        {
            return UserName + ": " + Text;
        }
    }

    public sealed class ChatJoinedEventArgs : EventArgs
    {
        /// <summary>Signed in (false when reading anonymously).</summary>
        public bool IsSignedIn { get; private set; }
        public uint UserId { get; private set; }
        public string RolesJson { get; private set; }
        /// <summary>The channel joined (the user's own when the chat was made with channel 0).</summary>
        public uint ChannelId { get; private set; }
        /// <summary>What the user may do here, e.g. chat, whisper, poll_start, timeout.</summary>
        public IReadOnlyList<string> Permissions { get; private set; }
        public string PermissionsJson { get; private set; }

        internal ChatJoinedEventArgs(ref mixplay_chat_event e)
        {
            IsSignedIn = e.flag != 0;
            UserId = e.user_id;
            RolesJson = e.roles.ToString();
            ChannelId = e.channel_id;
            PermissionsJson = e.permissions.ToString();
            Permissions = Names(PermissionsJson);
        }

        /// <summary>Whether <see cref="Permissions"/> names <paramref name="permission"/>.</summary>
        public bool HasPermission(string permission)
        {
            foreach (string p in Permissions)
                if (p == permission) return true;
            return false;
        }

        /// <summary>The names of a JSON array of plain names (the library writes it: no escapes).</summary>
        static IReadOnlyList<string> Names(string json)
        {
            List<string> names = new List<string>();
            foreach (string part in json.Trim('[', ']').Split(','))
            {
                string name = part.Trim().Trim('"');
                if (name.Length > 0) names.Add(name);
            }
            return names;
        }
    }

    /// <summary>Any other chat event (UserJoin, PollStart, DeleteMessage, …) with its data.</summary>
    public sealed class ChatEventArgs : EventArgs
    {
        public string Name { get; private set; }
        public string Json { get; private set; }

        internal ChatEventArgs(string name, string json)
        {
            Name = name;
            Json = json;
        }
    }

    /// <summary>
    /// A channel's chat: connects in the background when made; call <see cref="Update"/> once a
    /// frame to raise its events on the calling thread and complete requests. Replies to
    /// refused requests carry the service's error text (e.g. UACCESS) in <see
    /// cref="MixPlayReply.Message"/>, with <see cref="MixPlayReply.Code"/> 0, or the library's
    /// code (1 timed out, 2 not connected, 3 connection lost).
    /// </summary>
    public sealed unsafe class MixPlayChat : IDisposable
    {
        /// <summary>An Update hands out at most this many events.</summary>
        public const int MaxEventsPerUpdate = 8192;

        readonly HandleOwner<MixPlayChatHandle> native;
        readonly PendingRequests pending = new PendingRequests();
        bool updating;

        public event EventHandler<ConnectionChangedEventArgs> ConnectionChanged;
        public event EventHandler<ChatJoinedEventArgs> Joined;
        public event EventHandler<ChatMessage> MessageReceived;
        public event EventHandler<ChatEventArgs> EventReceived;
        public event EventHandler<MixPlayReply> ReplyReceived;
        /// <summary>Automatic refresh got new tokens (store them), or the refresh token was refused.</summary>
        public event EventHandler<TokensEventArgs> TokensRefreshed;

        /// <summary>Makes a chat for <paramref name="channelId"/> (0: the signed-in user's own
        /// channel) at <paramref name="baseUrl"/> (the service, e.g. https://mixer.com or
        /// http://127.0.0.1:8080). <paramref name="token"/> null reads anonymously.
        /// <paramref name="settings"/> (optional) supplies the TLS roots, reconnect policy,
        /// timeouts and the token's refresh (<see cref="MixPlaySettings.TokenRefresh"/>).</summary>
        public MixPlayChat(string baseUrl, uint channelId, string token, string clientId = null, MixPlaySettings settings = null)
        {
            MixPlayLibrary.EnsureCompatible();
            using (MixPlayConfigHandle config = MixPlaySession.BuildConfigOrDefaults(settings))
            {
                MixPlayChatHandle h;
                MixPlayResult rc;
                fixed (byte* u = Utf8.Required(baseUrl, "baseUrl"))
                fixed (byte* t = Utf8.Encode(string.IsNullOrEmpty(token) ? null : token))
                fixed (byte* c = Utf8.Encode(string.IsNullOrEmpty(clientId) ? null : clientId))
                    rc = Native.mixplay_chat_new(u, channelId, t, c, config, out h);
                native = new HandleOwner<MixPlayChatHandle>(rc, h, "mixplay_chat_new", this);
            }
        }

        public void Dispose()
        {
            native.Dispose();
        }

        public bool IsDisposed
        {
            get { return native.IsDisposed; }
        }

        MixPlayChatHandle H
        {
            get { return native.Handle; }
        }

        public MixPlayConnectionState ConnectionState
        {
            get
            {
                uint s;
                MixPlayException.Check(Native.mixplay_chat_connection_state(H, &s), "mixplay_chat_connection_state");
                return (MixPlayConnectionState)s;
            }
        }

        /// <summary>Drains the chat's events, raising the C# events on this thread.</summary>
        public void Update()
        {
            if (updating) throw new InvalidOperationException("MixPlayChat.Update cannot be called from a chat event handler");
            MixPlayChatHandle h = H;
            updating = true;
            try
            {
                for (int n = 0; n < MaxEventsPerUpdate && !native.IsDisposed; n++)
                {
                    mixplay_chat_event e;
                    byte has;
                    MixPlayException.Check(Native.mixplay_chat_poll(h, &e, &has), "mixplay_chat_poll");
                    if (has == 0) break;
                    try
                    {
                        Dispatch(ref e);
                    }
                    catch (Exception ex)
                    {
                        MixPlayLibrary.Report(ex);
                    }
                }
            }
            finally
            {
                updating = false;
            }
        }

        void Dispatch(ref mixplay_chat_event e)
        {
            switch ((MixPlayChatEventKind)e.kind)
            {
                case MixPlayChatEventKind.Connection:
                    MixPlayLibrary.Raise(ConnectionChanged, this, new ConnectionChangedEventArgs((MixPlayConnectionState)e.connection_state, e.code, e.text.ToString()));
                    break;
                case MixPlayChatEventKind.Joined:
                    MixPlayLibrary.Raise(Joined, this, new ChatJoinedEventArgs(ref e));
                    break;
                case MixPlayChatEventKind.Tokens:
                    MixPlayLibrary.Raise(TokensRefreshed, this, e.flag != 0
                        ? new TokensEventArgs(true, MixPlayTokens.FromNative(ref e.tokens), "")
                        : new TokensEventArgs(false, null, e.text.ToString()));
                    break;
                case MixPlayChatEventKind.Message:
                    MixPlayLibrary.Raise(MessageReceived, this, new ChatMessage(ref e));
                    break;
                case MixPlayChatEventKind.Event:
                    MixPlayLibrary.Raise(EventReceived, this, new ChatEventArgs(e.text.ToString(), e.json.ToString()));
                    break;
                case MixPlayChatEventKind.Reply:
                {
                    MixPlayReply reply = new MixPlayReply(e.request_id, e.flag != 0, e.json.ToString(), e.code, e.text.ToString(), "");
                    pending.Complete(reply);
                    MixPlayLibrary.Raise(ReplyReceived, this, reply);
                    break;
                }
            }
        }

        /// <summary>Joins with <paramref name="token"/> from the next reconnection on.</summary>
        public void SetToken(string token)
        {
            fixed (byte* t = Utf8.Required(token, "token"))
                MixPlayException.Check(Native.mixplay_chat_set_token(H, t), "mixplay_chat_set_token");
        }

        /// <summary>Turns automatic refresh on (after <see cref="SetToken"/> with the access token
        /// that came with it), or off with null.</summary>
        public void SetTokenRefresh(MixPlayTokenRefresh refresh)
        {
            MixPlayChatHandle h = H;
            MixPlayTokenRefresh.Apply(refresh, (u, c, t, e, g) => Native.mixplay_chat_set_token_refresh(h, u, c, t, e, g),
                                      "mixplay_chat_set_token_refresh");
        }

        MixPlayRequest Track(MixPlayResult rc, ulong id, string function)
        {
            return pending.Track(rc, id, function);
        }

        /// <summary>Sends a message ("/me …" sends an action).</summary>
        public MixPlayRequest Send(string text)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* t = Utf8.Required(text, "text"))
                rc = Native.mixplay_chat_send(H, t, &id);
            return Track(rc, id, "mixplay_chat_send");
        }

        public MixPlayRequest Whisper(string username, string text)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* u = Utf8.Required(username, "username"))
            fixed (byte* t = Utf8.Required(text, "text"))
                rc = Native.mixplay_chat_whisper(H, u, t, &id);
            return Track(rc, id, "mixplay_chat_whisper");
        }

        /// <summary>Times a user out for <paramref name="duration"/> ("30s", "1m15s", "2h") or
        /// clears it ("clear"); moderators only.</summary>
        public MixPlayRequest Timeout(string username, string duration)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* u = Utf8.Required(username, "username"))
            fixed (byte* d = Utf8.Required(duration, "duration"))
                rc = Native.mixplay_chat_timeout(H, u, d, &id);
            return Track(rc, id, "mixplay_chat_timeout");
        }

        public MixPlayRequest Purge(string username)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* u = Utf8.Required(username, "username"))
                rc = Native.mixplay_chat_purge(H, u, &id);
            return Track(rc, id, "mixplay_chat_purge");
        }

        public MixPlayRequest DeleteMessage(string messageId)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* m = Utf8.Required(messageId, "messageId"))
                rc = Native.mixplay_chat_delete_message(H, m, &id);
            return Track(rc, id, "mixplay_chat_delete_message");
        }

        public MixPlayRequest ClearMessages()
        {
            ulong id;
            MixPlayResult rc = Native.mixplay_chat_clear_messages(H, &id);
            return Track(rc, id, "mixplay_chat_clear_messages");
        }

        /// <summary>Asks for the last <paramref name="count"/> messages (at most 100), oldest first.</summary>
        public MixPlayRequest History(uint count)
        {
            ulong id;
            MixPlayResult rc = Native.mixplay_chat_history(H, count, &id);
            return Track(rc, id, "mixplay_chat_history");
        }

        /// <summary>Starts a poll; <paramref name="answersJson"/> is a JSON array of strings.</summary>
        public MixPlayRequest StartPoll(string question, string answersJson, uint seconds)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* q = Utf8.Required(question, "question"))
            fixed (byte* a = Utf8.Required(answersJson, "answersJson"))
                rc = Native.mixplay_chat_start_poll(H, q, a, seconds, &id);
            return Track(rc, id, "mixplay_chat_start_poll");
        }

        public MixPlayRequest Vote(uint index)
        {
            ulong id;
            MixPlayResult rc = Native.mixplay_chat_vote(H, index, &id);
            return Track(rc, id, "mixplay_chat_vote");
        }

        /// <summary>Calls any chat method with a JSON array of positional arguments.</summary>
        public MixPlayRequest Call(string method, string argsJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* m = Utf8.Required(method, "method"))
            fixed (byte* a = Utf8.Required(argsJson, "argsJson"))
                rc = Native.mixplay_chat_call(H, m, a, &id);
            return Track(rc, id, "mixplay_chat_call");
        }
    }
}
