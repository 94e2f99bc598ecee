using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary><c>switchyard users</c> against a real gateway: create (with a key printed once), add-to a team, info, list, keys create --user, delete.</summary>
public sealed class UsersCliTests
{
    private const string Yaml = """
        model_list:
          - model_name: chat
            litellm_params: { model: mock/chat, mock_response: ok }
        switchyard:
          tenants:
            - tenant_id: research
        """;

    [Fact]
    public async Task Users_CreateAddToInfoListDelete_ForPeopleAndJson()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var master = Path.Combine(CliProcess.NewFolder(), "master.key");
        File.WriteAllText(master, GatewayFixture.MasterKey + "\n");
        string[] common = ["--url", gw.BaseUrl, "--token-file", master];

        var created = await CliProcess.RunAsync(["users", "create", "ada", "--email", "ada@example.com", "--max-budget", "5", "--key", .. common]);
        Assert.True(created.Code == 0, created.Stderr);
        var token = created.Stdout.Trim();
        Assert.StartsWith("sk-", token, StringComparison.Ordinal); // the key is the one line printed
        Assert.Equal(200, (await gw.ChatAsync(token, "chat")).Status);

        var added = await CliProcess.RunAsync(["users", "add-to", "research", "ada", "--team-role", "admin", .. common]);
        Assert.True(added.Code == 0, added.Stderr);
        var keyed = await CliProcess.RunAsync(["keys", "create", "--user", "ada", "--team", "research", .. common]);
        Assert.True(keyed.Code == 0, keyed.Stderr);

        var info = await CliProcess.RunAsync(["users", "info", "ada", .. common]);
        Assert.True(info.Code == 0, info.Stderr);
        Assert.Matches(@"(?m)^user_email:\s+ada@example.com$", info.Stdout);
        Assert.Matches(@"(?m)^teams:\s+research$", info.Stdout);
        Assert.Matches(@"(?m)^max_budget:\s+5$", info.Stdout);
        Assert.Contains("2 key(s):", info.Stdout, StringComparison.Ordinal);

        var list = await CliProcess.RunAsync(["users", "list", "--team", "research", "--json", .. common]);
        Assert.True(list.Code == 0, list.Stderr);
        Assert.Equal("ada", JsonDocument.Parse(list.Stdout).RootElement.GetProperty("users")[0].GetProperty("user_id").GetString());

        var bad = await CliProcess.RunAsync(["users", "create", "eve", "--role", "root", .. common]);
        Assert.NotEqual(0, bad.Code);
        Assert.Contains("user_role", bad.Stderr + bad.Stdout, StringComparison.Ordinal);

        var deleted = await CliProcess.RunAsync(["users", "delete", "ada", .. common]);
        Assert.True(deleted.Code == 0, deleted.Stderr);
        Assert.Contains("deleted user ada and 2 key(s)", deleted.Stdout, StringComparison.Ordinal);
        Assert.Equal(401, (await gw.ChatAsync(token, "chat")).Status);
    }
}
