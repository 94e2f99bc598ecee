using Switchyard.Bench.FakeUpstream;

// fake-upstream serve [--port N] [--chunks N] [--probe-gap-ms N]
// fake-upstream probe --url URL [--key KEY] [--model M] [--count N] [--label TEXT] [--format chat|messages|responses]
// fake-upstream idle --url URL --pid GATEWAY_PID [--count N] [--format chat|messages|responses] [--key KEY] [--model M]
// fake-upstream body --kind small|stream|agent --model M --out FILE   (a request body for wrk)
if (args.Length > 0 && args[0] == "body")
{
    var a = Args.Parse(args.AsSpan(1));
    var model = a.Get("model", "bench.chat");
    var body = a.Get("kind", "small") switch
    {
        "agent" => AgentBody.Agent(model),
        "stream" => AgentBody.Small(model, stream: true),
        _ => AgentBody.Small(model, stream: false),
    };
    await File.WriteAllBytesAsync(a.Get("out", "body.json"), body);
    return 0;
}

if (args.Length > 0 && args[0] == "idle")
{
    return await IdleStreams.RunAsync(Args.Parse(args.AsSpan(1)));
}

return args.Length > 0 && args[0] == "probe"
    ? await StreamProbe.RunAsync(Args.Parse(args.AsSpan(1)))
    : await UpstreamServer.RunAsync(Args.Parse(args.Length > 0 && args[0] == "serve" ? args.AsSpan(1) : args));
