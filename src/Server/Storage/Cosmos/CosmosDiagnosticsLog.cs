using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Cosmos;

namespace DocStore.Server.Storage.Cosmos;

/// <summary>
/// Logs the SDK's diagnostics of each Cosmos DB call: at Debug, or at Warning when the call took longer than
/// <c>DocStore:Cosmos:DiagnosticsThreshold</c>. What is logged is a summary the SDK's diagnostics JSON is
/// read into, field by field from a fixed list (per HTTP or replica request: resource, method or operation,
/// status, sub-status, duration, activity id; the SDK's call counts by status; contacted regions). Request
/// URIs, query text, headers and bodies are never copied, so no document content, id or partition key
/// reaches the log.
/// </summary>
internal static partial class CosmosDiagnosticsLog
{
    private static readonly string[] RequestFields = ["ResourceType", "HttpMethod", "OperationType", "StatusCode", "SubStatusCode", "DurationInMs", "ActivityId"];

    /// <summary>Logs <paramref name="diagnostics"/> of one call, when Debug is on or the call was slow.</summary>
    public static void Record(ILogger logger, TimeSpan threshold, CosmosOperation operation, string container, HttpStatusCode status, CosmosDiagnostics? diagnostics)
    {
        if (diagnostics is null)
        {
            return;
        }

        var elapsed = diagnostics.GetClientElapsedTime();
        var slow = elapsed > threshold;
        if (!slow && !logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        var summary = Summarize(diagnostics);
        var milliseconds = Math.Round(elapsed.TotalMilliseconds, 1);
        if (slow)
        {
            Log.Slow(logger, operation, container, (int)status, milliseconds, summary);
        }
        else
        {
            Log.Diagnostics(logger, operation, container, (int)status, milliseconds, summary);
        }
    }

    /// <summary>The whitelisted summary of the SDK's diagnostics JSON.</summary>
    internal static string Summarize(CosmosDiagnostics diagnostics)
    {
        var text = new StringBuilder();
        var regions = diagnostics.GetContactedRegions();
        if (regions.Count > 0)
        {
            text.Append("regions ").AppendJoin(",", regions.Select(r => r.regionName)).Append("; ");
        }

        try
        {
            using var json = JsonDocument.Parse(diagnostics.ToString());
            if (json.RootElement.TryGetProperty("Summary", out var calls) && calls.ValueKind == JsonValueKind.Object)
            {
                foreach (var kind in calls.EnumerateObject().Where(k => k.Value.ValueKind == JsonValueKind.Object))
                {
                    text.Append(kind.Name).Append(' ').AppendJoin(" ", kind.Value.EnumerateObject().Select(c => $"{c.Name}x{c.Value}")).Append("; ");
                }
            }

            var requests = new List<string>();
            Collect(json.RootElement, requests);
            text.Append("requests: ").AppendJoin(" | ", requests);
        }
        catch (JsonException)
        {
            text.Append("diagnostics not readable");
        }

        return text.ToString();
    }

    private static void Collect(JsonElement element, List<string> requests)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name is "HttpResponseStats" or "StoreResponseStatistics" && property.Value.ValueKind == JsonValueKind.Array)
                    {
                        requests.AddRange(property.Value.EnumerateArray().Select(Request));
                    }
                    else
                    {
                        Collect(property.Value, requests);
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, requests);
                }

                break;
        }
    }

    private static string Request(JsonElement request)
    {
        if (request.ValueKind != JsonValueKind.Object)
        {
            return "?";
        }

        var parts = new List<string>();
        foreach (var field in RequestFields)
        {
            if (request.TryGetProperty(field, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                parts.Add(field == "DurationInMs"
                    ? string.Create(CultureInfo.InvariantCulture, $"{value.GetDouble():F1}ms")
                    : value.ToString());
            }
        }

        // Direct mode: the replica's answer, of which only the fields below are kept.
        if (request.TryGetProperty("StoreResult", out var store) && store.ValueKind == JsonValueKind.Object)
        {
            foreach (var field in (string[])["StatusCode", "SubStatusCode", "LSN", "ActivityId", "RequestCharge"])
            {
                if (store.TryGetProperty(field, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                {
                    parts.Add($"{field}={value}");
                }
            }
        }

        return string.Join(" ", parts);
    }

    /// <summary>Log messages of the Cosmos DB store's diagnostics: ids 255-256 (the Cosmos DB store has ids 25x).</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 255, EventName = "CosmosDiagnostics", Level = LogLevel.Debug, Message = "Cosmos DB {Operation} in container {Container}: HTTP {Status} in {ElapsedMs} ms; {Diagnostics}")]
        public static partial void Diagnostics(ILogger logger, CosmosOperation operation, string container, int status, double elapsedMs, string diagnostics);

        [LoggerMessage(EventId = 256, EventName = "CosmosSlowCall", Level = LogLevel.Warning, Message = "Cosmos DB {Operation} in container {Container} took {ElapsedMs} ms (over DocStore:Cosmos:DiagnosticsThreshold): HTTP {Status}; {Diagnostics}")]
        public static partial void Slow(ILogger logger, CosmosOperation operation, string container, int status, double elapsedMs, string diagnostics);
    }
}
