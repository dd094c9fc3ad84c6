using System.CommandLine;

namespace DocStore.Cli.Bench;

/// <summary>The <c>docstore bench</c> command.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var scenario = new Option<string>("--scenario")
        {
            Description = "custom: one mix against --endpoint, or a server started here; standard: the suite of docs/performance.md against servers and a redis-server started here; documents: Get and Upsert by size, shape and body format; query: a 20-document partition query and a change-feed read beside Get on 10,000 and --documents (default 1,000,000) documents, and the change feed's delay; memory: the server's RSS through concurrent maximum-size requests and an idle minute after",
            DefaultValueFactory = _ => "custom",
        };
        scenario.AcceptOnlyFromAmong("custom", "standard", "documents", "query", "memory");
        var endpoints = new Option<string[]>("--endpoint")
        {
            Description = "A DocStore server's address, e.g. http://127.0.0.1:5000; repeat for several. None: start one here",
            AllowMultipleArgumentsPerToken = true,
        };
        var concurrency = new Option<int>("--concurrency") { Description = "Calls in flight at once (closed loop)", DefaultValueFactory = _ => 64 };
        var duration = new Option<double>("--duration") { Description = "Seconds measured for the ceiling and for the mix each, in two halves (ceiling, mix, mix, ceiling)", DefaultValueFactory = _ => 10 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of calls before each measured half, not recorded", DefaultValueFactory = _ => 3 };
        var mix = new Option<string>("--mix")
        {
            Description = "Operation weights, e.g. get=80,upsert=15,patch=5; operations: get, upsert, patch, query (a page of 20 in a partition), changes (ReadChanges of a partition, 20 at most), create, replace, delete, readmany (10 keys), batch (10 upserts in one partition)",
            DefaultValueFactory = _ => "get=80,upsert=15,patch=5",
        };
        var each = new Option<bool>("--each") { Description = "Measure every operation of --mix alone (its own ratio to the ceiling) instead of the mix, in one run" };
        var docSize = new Option<int>("--doc-size") { Description = "Bytes of each document as UTF-8 JSON", DefaultValueFactory = _ => 1024 };
        var documents = new Option<int>("--documents") { Description = "Documents stored before the run; Get and Patch pick among them", DefaultValueFactory = _ => 1000 };
        var collection = new Option<string>("--collection") { Description = "The collection, partitioned by /pk", DefaultValueFactory = _ => "items" };
        var sharing = new Option<string>("--sharing") { Description = "DocStore:SessionTokens:Sharing of a server started here (Redis starts a redis-server)", DefaultValueFactory = _ => "Local" };
        sharing.AcceptOnlyFromAmong("Local", "Off", "Redis");
        var serverPath = new Option<string?>("--server-path") { Description = "DocStore.Server.dll to start; default: the one built in this repository" };
        var docShape = new Option<string?>("--doc-shape") { Description = "documents scenario: flat (id, pk, one padded string) or nested (an order of small line items); default both" };
        docShape.AcceptOnlyFromAmong(DocumentShapes.All);
        var bodyFormat = new Option<string?>("--body-format") { Description = "documents scenario: struct or json; default both" };
        bodyFormat.AcceptOnlyFromAmong("struct", "json");
        var baselinePath = new Option<string?>("--baseline-server-path") { Description = "documents scenario: another DocStore.Server.dll (an older build) measured with Struct bodies beside this one" };
        var serverPid = new Option<int?>("--server-pid") { Description = "With --endpoint: the process id of that server when it runs on this machine, to report its CPU time per call" };
        var messageSize = new Option<int>("--message-size") { Description = "memory scenario: bytes of each oversized request message", DefaultValueFactory = _ => (4 * 1024 * 1024) - 1024 };
        var idle = new Option<double>("--idle") { Description = "memory scenario: seconds idle after the load before the last RSS reading", DefaultValueFactory = _ => 60 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on standard output (the table goes to standard error)" };
        var baseline = new Option<string?>("--baseline-endpoint") { Description = "Run the mix here too, in place of the ceiling (e.g. the same server without authentication), with --endpoint" };

        var command = new Command("bench", "Measure DocStore's throughput, latency and server CPU per call side by side with the ceiling, the gRPC health check of the liveness service (no I/O).")
        {
            scenario, endpoints, concurrency, duration, warmup, mix, each, docSize, documents, collection, sharing, serverPath, serverPid, docShape, bodyFormat, baselinePath, messageSize, idle, json, baseline,
        };
        var securityOptions = new ChannelSecurity.Options();
        securityOptions.AddTo(command);
        concurrency.Validators.Add(result => Check(result, result.GetValueOrDefault<int>() >= 1, "--concurrency must be 1 or more"));
        duration.Validators.Add(result => Check(result, result.GetValueOrDefault<double>() > 0, "--duration must be above 0"));
        warmup.Validators.Add(result => Check(result, result.GetValueOrDefault<double>() >= 0, "--warmup must be 0 or more"));
        docSize.Validators.Add(result => Check(result, result.GetValueOrDefault<int>() is >= 64 and <= 2 * 1024 * 1024, "--doc-size must be 64 to 2097152 bytes"));
        messageSize.Validators.Add(result => Check(result, result.GetValueOrDefault<int>() is >= 3 * 1024 * 1024 and <= 32 * 1024 * 1024, "--message-size must be 3 MB to 32 MB"));
        idle.Validators.Add(result => Check(result, result.GetValueOrDefault<double>() >= 0, "--idle must be 0 or more"));
        documents.Validators.Add(result => Check(result, result.GetValueOrDefault<int>() >= 1, "--documents must be 1 or more"));
        mix.Validators.Add(result =>
        {
            try
            {
                OperationMix.Parse(result.GetValueOrDefault<string>() ?? "");
            }
            catch (FormatException e)
            {
                result.AddError("--mix: " + e.Message);
            }
        });

        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var progress = parse.InvocationConfiguration.Error;
            var asJson = parse.GetValue(json);

            // With --json, the JSON object is all of standard output; the table goes to standard error.
            async Task Print(string jsonText, string table)
            {
                await output.WriteLineAsync(asJson ? jsonText : table);
                if (asJson)
                {
                    await progress.WriteLineAsync(table);
                }
            }
            if (parse.GetValue(scenario) == "documents")
            {
                var documentsScenario = new DocumentsScenario(
                    ServerHost.FindServerDll(parse.GetValue(serverPath)),
                    parse.GetValue(baselinePath),
                    parse.GetResult(concurrency) is { Implicit: false } ? parse.GetValue(concurrency) : 16,
                    TimeSpan.FromSeconds(parse.GetResult(warmup) is { Implicit: false } ? parse.GetValue(warmup) : 1),
                    TimeSpan.FromSeconds(parse.GetResult(duration) is { Implicit: false } ? parse.GetValue(duration) : 3),
                    parse.GetValue(docShape) is { } shape ? [shape] : DocumentShapes.All,
                    parse.GetValue(bodyFormat) is { } format ? [format] : ["struct", "json"],
                    parse.GetResult(docSize) is { Implicit: false } ? [parse.GetValue(docSize)] : DocumentsScenario.DefaultSizes,
                    progress);
                var documentsReport = await documentsScenario.RunAsync(cancellationToken);
                await Print(documentsReport.ToJson(), documentsReport.ToTable());
                return documentsReport.Errors == 0 ? 0 : 1;
            }

            if (parse.GetValue(scenario) == "memory")
            {
                var memory = new MemoryScenario(
                    ServerHost.FindServerDll(parse.GetValue(serverPath)),
                    parse.GetValue(concurrency),
                    parse.GetValue(messageSize),
                    TimeSpan.FromSeconds(parse.GetValue(idle)),
                    progress);
                var memoryReport = await memory.RunAsync(cancellationToken);
                await Print(memoryReport.ToJson(), memoryReport.ToTable());
                return 0;
            }

            if (parse.GetValue(scenario) == "query")
            {
                var queryScenario = new QueryScenario(
                    ServerHost.FindServerDll(parse.GetValue(serverPath)),
                    parse.GetResult(documents) is { Implicit: false } ? parse.GetValue(documents) : QueryScenario.DefaultLargeStoreDocuments,
                    QueryScenario.DefaultTrials,
                    parse.GetValue(sharing)!,
                    TimeSpan.FromSeconds(parse.GetResult(duration) is { Implicit: false } ? parse.GetValue(duration) : 6),
                    TimeSpan.FromSeconds(parse.GetResult(warmup) is { Implicit: false } ? parse.GetValue(warmup) : 1),
                    progress);
                var queryReport = await queryScenario.RunAsync(cancellationToken);
                await Print(queryReport.ToJson(), queryReport.ToTable());
                return queryReport.Errors == 0 ? 0 : 1;
            }

            if (parse.GetValue(scenario) == "standard")
            {
                var standard = new StandardScenario(
                    ServerHost.FindServerDll(parse.GetValue(serverPath)),
                    TimeSpan.FromSeconds(parse.GetResult(duration) is { Implicit: false } ? parse.GetValue(duration) : 10),
                    TimeSpan.FromSeconds(parse.GetResult(warmup) is { Implicit: false } ? parse.GetValue(warmup) : 2),
                    progress);
                var report = await standard.RunAsync(cancellationToken);
                await Print(report.ToJson(), report.ToTable());
                return report.Errors == 0 ? 0 : 1;
            }

            var (security, securityError) = securityOptions.Read(parse);
            if (securityError is not null)
            {
                await progress.WriteLineAsync(securityError);
                return 2;
            }

            var settings = new CustomSettings(
                parse.GetValue(concurrency),
                TimeSpan.FromSeconds(parse.GetValue(duration)),
                TimeSpan.FromSeconds(parse.GetValue(warmup)),
                OperationMix.Parse(parse.GetValue(mix)!),
                parse.GetValue(docSize),
                parse.GetValue(documents),
                parse.GetValue(collection)!,
                parse.GetValue(endpoints) ?? [],
                parse.GetValue(sharing)!,
                security,
                parse.GetValue(baseline),
                parse.GetValue(each));
            var custom = await CustomRun.RunAsync(settings, parse.GetValue(serverPath), parse.GetValue(serverPid), progress, cancellationToken);
            await Print(custom.ToJson(), custom.ToTable());
            return custom.Errors == 0 ? 0 : 1;
        });
        return command;
    }

    private static void Check(System.CommandLine.Parsing.OptionResult result, bool valid, string message)
    {
        if (!valid)
        {
            result.AddError(message);
        }
    }
}
