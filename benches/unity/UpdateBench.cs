// The C# rows of `cargo bench --bench ffi_poll`: the Unity package's MixPlaySession.Update under
// Mono, draining the same giveInput flood the C ABI rows drain, with one handler on
// InputReceived (the game asks for each input's object and counts it).
//
// usage: mono UpdateBench.exe URL INPUTS
//
// Only the Update calls that handed out inputs are timed, as the C ABI rows time only the polls
// that returned events, and the first tenth of the inputs is left out (JIT compilation, the
// frame's first dictionaries). Allocations are the managed bytes this thread allocated inside
// those calls (GC.GetAllocatedBytesForCurrentThread). Prints one line:
// `csharp inputs=N ns=T bytes=B`: the inputs counted, the nanoseconds and the bytes they took.
using System;
using System.Diagnostics;
using MixPlay;

static class UpdateBench
{
    const double LimitSeconds = 60;

    static int Main(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: mono UpdateBench.exe URL INPUTS");
            return 2;
        }
        long target = long.Parse(args[1]);
        long warmup = target / 10;
        MixPlaySettings settings = new MixPlaySettings();
        settings.Endpoints.Add(args[0]);
        settings.Token = "bench-token";
        settings.VersionId = 12345;
        settings.Compression = "none";
        settings.AutoReady = true;
        settings.Reconnect = false;
        // Room for the whole flood: this measures Update, not the overflow path.
        settings.EventQueueCapacity = 1 << 20;

        long inputs = 0;
        string failure = null;
        using (MixPlaySession session = new MixPlaySession(settings))
        {
            session.InputReceived += (sender, input) => inputs++;
            session.ConnectionChanged += (sender, e) =>
            {
                if (e.State == MixPlayConnectionState.Disconnected) failure = "the session stopped: " + e.Message;
            };
            session.Error += (sender, e) => failure = "the session reported an error: " + e.Message;

            Stopwatch clock = Stopwatch.StartNew();
            long ticks = 0, bytes = 0, counted = 0;
            while (inputs < target)
            {
                if (failure != null || clock.Elapsed.TotalSeconds > LimitSeconds)
                {
                    Console.Error.WriteLine(failure ?? ("only " + inputs + " of " + target + " inputs arrived in time"));
                    return 1;
                }
                long before = inputs;
                long a0 = GC.GetAllocatedBytesForCurrentThread();
                long t0 = Stopwatch.GetTimestamp();
                session.Update();
                long t1 = Stopwatch.GetTimestamp();
                long a1 = GC.GetAllocatedBytesForCurrentThread();
                if (inputs > before && before >= warmup)
                {
                    ticks += t1 - t0;
                    bytes += a1 - a0;
                    counted += inputs - before;
                }
            }
            double ns = ticks * 1e9 / Stopwatch.Frequency;
            Console.WriteLine("csharp inputs={0} ns={1:F0} bytes={2}", counted, ns, bytes);
        }
        return 0;
    }
}
