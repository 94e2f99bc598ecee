using System.CommandLine;
using Switchyard.Cli;

var root = new RootCommand("Switchyard: a self-hosted LLM gateway");
ServeCommand.Configure(root);
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(KeysCommand.Create());
root.Subcommands.Add(TenantsCommand.Create());
root.Subcommands.Add(UsersCommand.Create());
root.Subcommands.Add(SpendCommand.Create());
root.Subcommands.Add(AuditCommand.Create());
root.Subcommands.Add(AdminCommands.Reload());
root.Subcommands.Add(AdminCommands.AliasCommand());
root.Subcommands.Add(ConfigCommand.Create());
root.Subcommands.Add(DoctorCommand.Create());
root.Subcommands.Add(SmokeCommand.Create());
root.Subcommands.Add(InstallCommand.Install());
root.Subcommands.Add(InstallCommand.Uninstall());

// Commands turn ordinary mistakes into one line and an exit code; this is the net for anything they missed:
// still one line (the stack trace only with SWITCHYARD_DEBUG=1), never a wall of frames.
try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (e is not OperationCanceledException)
{
    await Console.Error.WriteLineAsync(Environment.GetEnvironmentVariable("SWITCHYARD_DEBUG") is { Length: > 0 }
        ? "switchyard: " + e
        : $"switchyard: {e.Message} ({e.GetType().Name}; set SWITCHYARD_DEBUG=1 for the stack trace)");
    return 70;
}
