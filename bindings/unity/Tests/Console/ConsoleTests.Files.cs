// File storage through MixPlaySession.UploadFile and DeleteFile: what viewers load (fetched by
// the harness: "@ FETCH url" answers "OK status type length hex"), the failed replies, misuse.
using System;
using System.Text;
using MixPlay;

static partial class ConsoleTests
{
    static string JsonString(string json, string field)
    {
        string key = "\"" + field + "\":\"";
        int at = json.IndexOf(key, StringComparison.Ordinal);
        Check(at >= 0, "no " + field + " in " + json);
        at += key.Length;
        return json.Substring(at, json.IndexOf('"', at) - at);
    }

    static string Hex(byte[] bytes)
    {
        var sb = new StringBuilder(bytes.Length * 2);
        foreach (byte b in bytes) sb.Append(b.ToString("x2"));
        return sb.ToString();
    }

    static void Files()
    {
        byte[] png = new byte[700];
        for (int i = 0; i < png.Length; i++) png[i] = (byte)(i * 13);
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 0x1a, 10 }.CopyTo(png, 0);
        MixPlayReply up = Ok(s.UploadFile("unity/tile.png", png), "UploadFile");
        string url = JsonString(up.Json, "url");
        Eq(url, baseUrl + "/files/1/unity/tile.png", "the file's url");
        Eq(JsonString(up.Json, "contentType"), "image/png", "its type");
        Eq(Cmd("FETCH " + url), 0, "FETCH");
        Eq(answer, "200 image/png " + png.Length + " " + Hex(png), "what a viewer loads");

        MixPlayReply bad = Await(s.UploadFile("../up.png", png), "UploadFile with a bad path");
        Check(!bad.Success && bad.Code == 4004, "a bad path is refused: " + bad);

        Eq(Ok(s.DeleteFile("unity/tile.png"), "DeleteFile").Json, "null", "DeleteFile's reply");
        Eq(Cmd("FETCH " + url), 0, "FETCH after delete");
        Check(answer.StartsWith("404 ", StringComparison.Ordinal), "deleted: " + answer);

        Throws<ArgumentNullException>(() => s.UploadFile("x.png", null), "null bytes");
        Throws<MixPlayException>(() => s.DeleteFile(""), "an empty path");
    }
}
