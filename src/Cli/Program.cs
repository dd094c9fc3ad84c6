using System.CommandLine;

namespace DocStore.Cli;

internal static class Program
{
    private static Task<int> Main(string[] args)
    {
        var root = new RootCommand("docstore: operator tools for a DocStore deployment.");
        root.Subcommands.Add(Bench.BenchCommand.Create());
        return root.Parse(args).InvokeAsync();
    }
}
