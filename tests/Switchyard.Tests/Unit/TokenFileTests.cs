using Switchyard.Core.Config;

namespace Switchyard.Tests.Unit;

/// <summary>
/// One reader for every token file (TokenFile): the CLI's --token-file, switchyard.master_key_file and file: secrets
/// read a trailing newline, CRLF line ends, comment lines and blank lines the same way.
/// </summary>
public sealed class TokenFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "switchyard-tests", "tokenfile-" + Guid.NewGuid().ToString("N"));

    public TokenFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("sk-sy-abc\n")]
    [InlineData("sk-sy-abc")]
    [InlineData("sk-sy-abc\r\n")]
    [InlineData("\uFEFFsk-sy-abc\r\n")]
    [InlineData("# token id 1a2b; shown once\nsk-sy-abc\n")]
    [InlineData("\n\n  # a comment\r\n\r\n  sk-sy-abc  \r\n# trailing note\r\n")]
    [InlineData("sk-sy-abc\n# token id 1a2b; shown once, store it now\n")]
    public void Parse_NewlinesCrlfCommentsAndBlankLines_GiveTheToken(string text)
        => Assert.Equal("sk-sy-abc", TokenFile.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("\n\r\n  \n")]
    [InlineData("# only a comment\n#another\n")]
    public void Parse_NoTokenLine_IsNull(string text) => Assert.Null(TokenFile.Parse(text));

    [Fact]
    public void MasterKeyFile_WithACommentAndCrlf_IsReadAsItsKeyAndLeftAsItIs()
    {
        var file = Path.Combine(_dir, "master.key");
        const string text = "# Switchyard master key, rotated 2026-05-01\r\nsk-sy-master-0123456789\r\n";
        File.WriteAllText(file, text);

        var config = ConfigLoader.Load($$"""
            model_list:
              - model_name: a
                litellm_params: { model: mock/a }
            switchyard:
              master_key_file: {{file}}
            """, _dir, _ => null);

        Assert.Equal("sk-sy-master-0123456789", Assert.Single(config.Auth.MasterKeys).Value);
        Assert.Equal(text, File.ReadAllText(file));
    }

    [Fact]
    public void FileSecret_WithCommentLinesAndCrlf_IsTheKeyLine()
    {
        File.WriteAllText(Path.Combine(_dir, "openai.key"), "# OpenAI project key for the gateway\r\n\r\nsk-proj-from-file\r\n");

        var config = ConfigLoader.Load("""
            model_list:
              - model_name: a
                litellm_params: { model: openai/gpt-4o, api_key: "file:openai.key" }
            general_settings: { master_key: sk-test-master-key-0001 }
            """, _dir, _ => null);

        Assert.True(config.Deployments[0].Enabled, config.Deployments[0].DisabledReason);
        Assert.Equal("sk-proj-from-file", config.Deployments[0].ApiKey);
    }

    [Fact]
    public void FileSecret_OnlyComments_DisablesTheDeploymentSayingSo()
    {
        File.WriteAllText(Path.Combine(_dir, "todo.key"), "# paste the key here\n");

        var config = ConfigLoader.Load("""
            model_list:
              - model_name: a
                litellm_params: { model: openai/gpt-4o, api_key: "file:todo.key" }
            general_settings: { master_key: sk-test-master-key-0001 }
            """, _dir, _ => null);

        Assert.False(config.Deployments[0].Enabled);
        Assert.Contains("only blank or # comment lines", config.Deployments[0].DisabledReason, StringComparison.Ordinal);
    }
}
