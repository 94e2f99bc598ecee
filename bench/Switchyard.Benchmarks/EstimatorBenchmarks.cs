using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.Tokenizers;
using Switchyard.Core.Requests;
using Switchyard.Core.Usage;

namespace Switchyard.Benchmarks;

/// <summary>
/// The prompt estimate a scoped token's admission pays per request, on agent-shaped bodies (system prompt, 12 tools,
/// turns; see <see cref="Bodies"/>; the schema gate has already run, as in the gateway) and on one unbroken word, at 1 KB, 64 KB and 1 MB; <c>Tokenizer</c> is the
/// estimator before issue 7 (Tiktoken o200k over every string), kept for comparison where it finishes.
/// Run: <c>dotnet run -c Release --project bench/Switchyard.Benchmarks -- --filter *EstimatorBenchmarks* --job short</c>
/// </summary>
[MemoryDiagnoser]
public class EstimatorBenchmarks
{
    private byte[] _body = [];
    private Tokenizer _tokenizer = null!;
    private RequestInfo _info = null!;

    [Params("agent", "word")]
    public string Shape { get; set; } = "agent";

    [Params(1024, 64 * 1024, 1024 * 1024)]
    public int Bytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = Shape == "agent" ? Bodies.Agent(Bytes) : Encoding.UTF8.GetBytes(
            "{\"model\":\"router.default\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('a', Bytes - 70) + "\"}]}");
        _tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");
        _info = RequestInspector.Inspect(_body, OperationKind.Chat);
    }

    [Benchmark(Baseline = true)]
    public long Bounded() => PromptEstimator.Estimate(_body, _info, EstimateProfile.OpenAI, CancellationToken.None).PromptTokens;

    [Benchmark]
    public long Tokenizer()
    {
        // the old estimator is quadratic in a word's length: 64 KB and 1 MB words do not finish in a benchmark's time
        if (Shape == "word" && Bytes > 16 * 1024)
        {
            return -1;
        }

        return TokenizerPromptEstimator.EstimatePrompt(_body, _tokenizer);
    }
}
