using System.Text.Json;
using DocStore.Server.Tests.Infrastructure;

namespace DocStore.Server.Tests.EndToEnd;

/// <summary><c>docstore bench</c> with the write operations of the contract, each alone, against a server it starts.</summary>
public sealed class BenchWritesTests
{
    private static readonly string[] WriteOperations = ["create", "replace", "delete", "readmany", "batch"];

    [Fact]
    public async Task Bench_measures_create_replace_delete_readmany_and_batch_each_alone_without_errors()
    {
        var (exitCode, output, error) = await CliProcess.RunAsync(
            TimeSpan.FromMinutes(3),
            "bench", "--mix", "create=1,replace=1,delete=1,readmany=1,batch=1", "--each",
            "--duration", "1", "--warmup", "0.2", "--concurrency", "4", "--documents", "200", "--json",
            "--server-path", TestPaths.ServerDll);
        Assert.True(exitCode == 0 && output.StartsWith('{'), $"docstore bench exited {exitCode}: {output}\n{error}");

        var report = JsonDocument.Parse(output).RootElement;
        Assert.Equal(0, report.GetProperty("errors").GetInt64());
        Assert.False(report.GetProperty("ratio_is_share_of_mix").GetBoolean());
        var operations = report.GetProperty("operations");
        Assert.Equal(WriteOperations, operations.EnumerateObject().Select(o => o.Name));
        foreach (var operation in operations.EnumerateObject())
        {
            Assert.True(operation.Value.GetProperty("count").GetInt64() > 0, $"{operation.Name} made no call: {output}");
            Assert.True(operation.Value.GetProperty("ratio_to_ceiling").GetDouble() > 0, $"{operation.Name} has no ratio: {output}");
        }
    }
}
