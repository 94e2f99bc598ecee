using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

/// <summary>The embedded default config works offline, as the README promises: every alias answers from the mock.</summary>
public sealed class DefaultConfigTests
{
    private static async Task<GatewayFixture> StartAsync()
    {
        return await GatewayFixture.StartAsync(await File.ReadAllTextAsync(TestPaths.DefaultConfig), env: new Dictionary<string, string> { ["SWITCHYARD_MASTER_KEY"] = GatewayFixture.MasterKey });
    }

    [Fact]
    public async Task DefaultConfig_NoProviderKeys_RouterDefaultAnswersFromMock()
    {
        await using var gw = await StartAsync();

        var completion = await gw.Chat("router.default").CompleteChatAsync([new UserChatMessage("ping")]);

        Assert.Equal("This is a mock response from router-default to: ping", completion.Value.Content[0].Text);
    }

    [Fact]
    public async Task DefaultConfig_NoProviderKeys_DraftFastStreamsFromMock()
    {
        await using var gw = await StartAsync();

        var text = "";
        await foreach (var update in gw.Chat("draft.fast").CompleteChatStreamingAsync([new UserChatMessage("ping")]))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
        }

        Assert.Equal("This is a mock response from draft-fast to: ping", text);
    }

    [Fact]
    public async Task DefaultConfig_Typo_404NamesRouterDefault()
    {
        await using var gw = await StartAsync();

        using var response = await gw.ChatAsync("router.defualt");

        var s = await FailureAssert.ReadAsync(response, 404, "not_found", "model_not_found");
        Assert.Contains("did you mean 'router.default'", s.Message, StringComparison.Ordinal);
    }
}
