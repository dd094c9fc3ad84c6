using System.CommandLine;
using DocStore.Cli.Consistency;

namespace DocStore.Cli;

internal static class Program
{
    private static Task<int> Main(string[] args)
    {
        var root = new RootCommand("docstore: operator tools for a DocStore deployment.")
        {
            ConsistencyCommand.Create(),
            Bench.BenchCommand.Create(),
            Bench.EmbeddedSeeder.Create(),
            Bench.FramesCommand.Create(),
        };
        return root.Parse(args).InvokeAsync();
    }
}
