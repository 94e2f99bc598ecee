using System.CommandLine;
using Switchyard.Cli;

var root = new RootCommand("Switchyard: a self-hosted LLM gateway");
ServeCommand.Configure(root);
root.Subcommands.Add(ServeCommand.Create());
return await root.Parse(args).InvokeAsync();
