using System.Diagnostics;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Grpc.Core;

namespace DocStore.Server.Tests.EndToEnd;

/// <summary><c>docstore seed-embedded</c>, which benchmarks use to fill a store file fast, and the server that serves the file.</summary>
public sealed class SeedEmbeddedTests
{
    [Fact]
    public async Task Seeded_documents_are_served_at_their_size_and_later_writes_continue_the_collections_lsn()
    {
        var database = TestPaths.NewDatabasePath();
        var (code, output) = await RunCliAsync("seed-embedded", "--path", database, "--count", "50", "--doc-size", "300", "--partitions", "7");
        Assert.True(code == 0, output);
        Assert.Contains("seeded 50 documents", output, StringComparison.Ordinal);

        await using var server = await TestServers.StartAsync(database);
        using var channel = server.CreateChannel();
        var client = new DocStoreService.DocStoreServiceClient(channel);

        var read = await client.GetAsync(new GetRequest { Collection = "items", Id = "doc-12", PartitionKey = "pk-5" });
        Assert.Equal("doc-12", read.Document.Body.Fields["id"].StringValue);
        Assert.Equal(0, read.Document.Body.Fields["n"].NumberValue);
        Assert.Equal(300, Google.Protobuf.JsonFormatter.Default.Format(read.Document.Body).Replace(" ", "", StringComparison.Ordinal).Length);
        Assert.Equal("0:-1#50", read.Info.SessionToken);

        // Document 12 lives in partition 12 mod 7 = 5 only.
        var wrongPartition = await Assert.ThrowsAsync<RpcException>(() => client.GetAsync(new GetRequest { Collection = "items", Id = "doc-12", PartitionKey = "pk-0" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, wrongPartition.StatusCode);

        var patched = await client.PatchAsync(new PatchRequest
        {
            Collection = "items",
            Id = "doc-49",
            PartitionKey = "pk-0",
            Operations = { new PatchOperation { Increment = new IncrementOperation { Path = "/n", By = 1 } } },
        });
        Assert.Equal("0:-1#51", patched.Info.SessionToken);
        Assert.Equal(1, patched.Document.Body.Fields["n"].NumberValue);
    }

    [Theory]
    [InlineData("--count")]
    [InlineData("--path", "x.db", "--count", "many")]
    [InlineData("--path", "x.db", "--count", "5", "--bogus", "1")]
    public async Task Bad_arguments_exit_with_1_and_the_usage(params string[] arguments)
    {
        var (code, output) = await RunCliAsync(["seed-embedded", .. arguments]);
        Assert.Equal(1, code);
        Assert.Contains("docstore seed-embedded [options]", output, StringComparison.Ordinal);
        Assert.DoesNotContain("seeded", output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> RunCliAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        start.ArgumentList.Add(TestPaths.CliDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
