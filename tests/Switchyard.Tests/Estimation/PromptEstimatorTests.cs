using System.Text;
using Switchyard.Core.Requests;
using Switchyard.Core.Usage;

namespace Switchyard.Tests.Estimation;

public sealed class PromptEstimatorTests
{
    private static byte[] Chat(string content, string extra = "") =>
        Encoding.UTF8.GetBytes("{\"model\":\"gpt-4o\"" + extra + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}");

    [Fact]
    public void Estimate_PreCancelledToken_ThrowsWithoutCounting()
    {
        var body = Chat(new string('x', 1_000_000));
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.Throws<OperationCanceledException>(() => PromptEstimator.Estimate(body, OperationKind.Chat, EstimateProfile.OpenAI, cts.Token));
    }

    [Fact]
    public void Estimate_FourMegabyteSingleWord_ReturnsABoundNoHigherThanOneTokenPerByte()
    {
        var body = Chat(new string('q', 4 * 1024 * 1024 - 100));

        var estimate = PromptEstimator.Estimate(body, OperationKind.Chat, EstimateProfile.OpenAI, CancellationToken.None);

        Assert.InRange(estimate.PromptTokens, 4 * 1024 * 1024 / 8, body.Length + 16);
    }

    [Fact]
    public void Estimate_TextBeyondTheScanCeiling_IsChargedOneTokenPerByte()
    {
        var word = new string('a', PromptEstimator.MaxScannedBytes + 1000);

        var estimate = PromptEstimator.Estimate(Chat(word), OperationKind.Chat, EstimateProfile.OpenAI, CancellationToken.None);

        Assert.True(estimate.PromptTokens >= 1000 + (PromptEstimator.MaxScannedBytes / 20), estimate.ToString());
    }

    [Fact]
    public void Estimate_EmbeddingsTokenIds_CountAtLeastOneTokenEach()
    {
        var body = Encoding.UTF8.GetBytes("{\"model\":\"text-embedding-3-small\",\"input\":[[101, 2023, 99999], [7, 8]]}");

        var estimate = PromptEstimator.Estimate(body, OperationKind.Embeddings, EstimateProfile.OpenAI, CancellationToken.None);

        Assert.InRange(estimate.PromptTokens, 5, 40); // the ids as written: every id is a piece of its own
    }

    [Fact]
    public void Estimate_ChatWithN_ReturnsTheChoices()
    {
        Assert.Equal(3, PromptEstimator.Estimate(Chat("hi", ",\"n\":3"), OperationKind.Chat, EstimateProfile.OpenAI, CancellationToken.None).Choices);
        Assert.Equal(1, PromptEstimator.Estimate(Chat("hi"), OperationKind.Chat, EstimateProfile.OpenAI, CancellationToken.None).Choices);
    }

    [Fact]
    public void Estimate_ToolsFraming_AddsPerToolAndBlockAllowance()
    {
        const string tool = "{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}";
        var none = PromptEstimator.Estimate(Chat("hi"), OperationKind.Chat, EstimateProfile.OpenAI, CancellationToken.None).PromptTokens;
        var one = PromptEstimator.Estimate(Chat("hi", ",\"tools\":[" + tool + "]"), OperationKind.Chat, EstimateProfile.OpenAI, CancellationToken.None).PromptTokens;
        var two = PromptEstimator.Estimate(Chat("hi", ",\"tools\":[" + tool + "," + tool + "]"), OperationKind.Chat, EstimateProfile.OpenAI, CancellationToken.None).PromptTokens;

        Assert.True(one - none >= EstimateProfile.OpenAI.ToolsBlock + EstimateProfile.OpenAI.PerTool, $"{none} -> {one}");
        Assert.True(two - one >= EstimateProfile.OpenAI.PerTool, $"{one} -> {two}");
    }

    [Fact]
    public void Estimate_UncalibratedFamily_AppliesTheSafetyFactor()
    {
        var body = Chat(string.Join(' ', Enumerable.Repeat("the quick brown fox", 500)));
        var openai = PromptEstimator.Estimate(body, OperationKind.Chat, EstimateProfile.OpenAI, CancellationToken.None).PromptTokens;
        var other = PromptEstimator.Estimate(body, OperationKind.Chat, EstimateProfile.Uncalibrated, CancellationToken.None).PromptTokens;

        Assert.True(other >= openai * 1.35 - 1, $"{openai} -> {other}");
    }

    [Fact]
    public void Estimate_MockFamily_IsAtLeastWhatTheMockBills()
    {
        var body = Chat(new string('a', 400));

        Assert.True(PromptEstimator.Estimate(body, OperationKind.Chat, EstimateProfile.Mock, CancellationToken.None).PromptTokens >= body.Length / 4);
    }

    [Fact]
    public void Combine_MixedGroup_TakesTheLargestOfEachFigure()
    {
        var p = EstimateProfile.Combine([EstimateProfile.OpenAI, EstimateProfile.Uncalibrated, EstimateProfile.Mock]);

        Assert.Equal((1350, 400, 4), (p.FactorThousandths, p.ToolsBlock, p.BytesPerTokenFloor));
    }
}
