using System.CommandLine;
using Switchyard.Cli;

var root = new RootCommand("Switchyard: a self-hosted LLM gateway");
ServeCommand.Configure(root);
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(AdminCommands.Keys());
root.Subcommands.Add(AdminCommands.Tenants());
root.Subcommands.Add(AdminCommands.Reload());
root.Subcommands.Add(AdminCommands.AliasCommand());
root.Subcommands.Add(DoctorCommand.Create());
root.Subcommands.Add(SmokeCommand.Create());
return await root.Parse(args).InvokeAsync();
