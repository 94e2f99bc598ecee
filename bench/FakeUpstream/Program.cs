using Switchyard.Bench.FakeUpstream;

// fake-upstream serve [--port N] [--chunks N] [--probe-gap-ms N]
// fake-upstream probe --url URL [--key KEY] [--model M] [--count N] [--label TEXT]
return args.Length > 0 && args[0] == "probe"
    ? await StreamProbe.RunAsync(Args.Parse(args.AsSpan(1)))
    : await UpstreamServer.RunAsync(Args.Parse(args.Length > 0 && args[0] == "serve" ? args.AsSpan(1) : args));
