using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Azure.Cosmos;

namespace DocStore.Server.Storage.Cosmos;

/// <summary>
/// Turns a Cosmos DB response into a <see cref="StoreResult"/>: the body without system properties,
/// <c>_etag</c> and <c>_ts</c> as etag and update time, the session token and request charge from the
/// headers; and each failing status into the design's error table.
/// </summary>
internal static partial class CosmosResponses
{
    /// <summary>Cosmos's sub-status for "the container (or database) does not exist".</summary>
    private const int OwnerResourceNotFound = 1003;
    private const int ReadSessionNotAvailable = 1002;

    private const int MaxMessageCharacters = 300;

    public static async Task<StoreResult> ToResultAsync(ResponseMessage response, CosmosOperation operation, CollectionDefinition collection, ILogger logger, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode && operation == CosmosOperation.Delete)
        {
            return StoreResult.Deleted(response.Headers.Session ?? "", response.Headers.RequestCharge);
        }

        if (response.IsSuccessStatusCode)
        {
            var body = await ReadAllAsync(response.Content, cancellationToken);
            return StoreResult.Success(ToDocument(body, response.Headers));
        }

        return await FailureAsync(response.StatusCode, SubStatus(response.Headers), response.Headers, () => MessageAsync(response, cancellationToken), operation, collection, logger);
    }

    /// <summary>The same mapping for a failure the SDK threw instead of returning (it does for some statuses).</summary>
    public static Task<StoreResult> FromExceptionAsync(CosmosException exception, CosmosOperation operation, CollectionDefinition collection, ILogger logger) =>
        FailureAsync(exception.StatusCode, exception.SubStatusCode, exception.Headers, () => Task.FromResult(CleanMessage(exception.ResponseBody ?? exception.Message)), operation, collection, logger);

    public static async Task<StoreResult> FailureAsync(HttpStatusCode statusCode, int subStatus, Headers headers, Func<Task<string>> message, CosmosOperation operation, CollectionDefinition collection, ILogger logger) =>
        (await MapFailureAsync(statusCode, subStatus, headers, message, operation, collection, logger)).WithActivityId(headers?.ActivityId);

    private static async Task<StoreResult> MapFailureAsync(HttpStatusCode statusCode, int subStatus, Headers headers, Func<Task<string>> message, CosmosOperation operation, CollectionDefinition collection, ILogger logger)
    {
        var status = (int)statusCode;
        switch (statusCode)
        {
            case HttpStatusCode.NotFound when subStatus == OwnerResourceNotFound || operation is CosmosOperation.Upsert or CosmosOperation.Create:
                Log.ContainerMissing(logger, collection.Name, collection.Container, headers.ActivityId);
                return StoreResult.Failure(StoreStatus.Unavailable, $"the container of collection '{collection.Name}' does not exist");
            case HttpStatusCode.NotFound when subStatus == ReadSessionNotAvailable:
                return StoreResult.Failure(StoreStatus.SessionNotAvailable, "the session token names a write no replica of the container has reached after the SDK's retries");
            case HttpStatusCode.NotFound when operation == CosmosOperation.ConditionalReplace:
                // A conditional replace of an absent document: the etag matches nothing.
                return StoreResult.PreconditionFailed;
            case HttpStatusCode.NotFound:
                // A read that found nothing still names the state the replica had reached.
                return headers.Session is { Length: > 0 } token ? StoreResult.Failure(StoreStatus.NotFound, sessionToken: token) : StoreResult.NotFound;
            case HttpStatusCode.PreconditionFailed:
                return StoreResult.PreconditionFailed;
            case HttpStatusCode.Conflict when operation == CosmosOperation.Create:
                return StoreResult.AlreadyExists;
            case HttpStatusCode.TooManyRequests:
                return StoreResult.Failure(StoreStatus.Throttled, retryAfter: RetryAfter(headers));
            case HttpStatusCode.BadRequest when operation is CosmosOperation.QueryContinued or CosmosOperation.ChangeFeed:
                // DocStore writes the SQL itself; what the caller controls is the continuation.
                return StoreResult.Failure(StoreStatus.InvalidContinuation, await message());
            case HttpStatusCode.BadRequest when operation == CosmosOperation.Patch:
                return StoreResult.Failure(StoreStatus.PatchNotApplicable, await message());
            case HttpStatusCode.RequestEntityTooLarge:
                return StoreResult.Failure(StoreStatus.TooLarge, "the resulting document would exceed Cosmos DB's 2 MB limit: " + await message());
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                Log.Refused(logger, status, subStatus, operation, collection.Container, headers.ActivityId, await message());
                return StoreResult.Failure(StoreStatus.Unavailable, $"Cosmos DB refused DocStore's credentials (HTTP {status}); the server log has the details");
            case HttpStatusCode.RequestTimeout or HttpStatusCode.Gone or (HttpStatusCode)449 or HttpStatusCode.ServiceUnavailable
                or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout:
                Log.Failed(logger, status, subStatus, operation, collection.Container, headers.ActivityId);
                return StoreResult.Failure(StoreStatus.Unavailable, $"Cosmos DB answered HTTP {status}");
            default:
                throw new InvalidOperationException(
                    $"Cosmos DB answered HTTP {status} (sub-status {subStatus}) to a {operation} on container '{collection.Container}', which DocStore does not expect: {await message()}");
        }
    }

    /// <summary>The document without system properties, its etag, update time, session token and charge.</summary>
    public static StoredDocument ToDocument(ReadOnlyMemory<byte> json, Headers headers) =>
        ToDocument(json, headers.ETag, headers.Session ?? "", headers.RequestCharge);

    /// <summary>
    /// The document without system properties, with the etag, session token and charge given (a batch's, a
    /// read-many's, a query's or the change feed's); the etag is <paramref name="etagHeader"/> when set, else the
    /// document's <c>_etag</c>. The change feed's items also carry <c>_lsn</c>, which goes too. One forward pass
    /// over the body finds the system properties; the rest is copied as it is, never parsed into a DOM and
    /// written again.
    /// </summary>
    public static StoredDocument ToDocument(ReadOnlyMemory<byte> json, string? etagHeader, string sessionToken, double requestCharge, bool fromChangeFeed = false)
    {
        var reader = new Utf8JsonReader(json.Span, DocumentJson.ReaderOptions);
        var cuts = new RootPropertyCuts();
        string? etag = null;
        long? ts = null;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var start = (int)reader.TokenStartIndex;
            cuts.Name(start);
            var isLsn = fromChangeFeed && reader.ValueTextEquals("_lsn"u8);
            if (!isLsn && !SystemProperties.Contains(reader.ValueSpan))
            {
                reader.Skip();
                cuts.Keep((int)reader.BytesConsumed);
                continue;
            }

            var isEtag = reader.ValueTextEquals("_etag"u8);
            var isTs = reader.ValueTextEquals("_ts"u8);
            reader.Read();
            if (isEtag && reader.TokenType == JsonTokenType.String)
            {
                etag = reader.GetString();
            }
            else if (isTs && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var seconds))
            {
                ts = seconds;
            }

            reader.Skip();
            cuts.Cut(start, (int)reader.BytesConsumed);
        }

        cuts.End();
        return new StoredDocument(
            cuts.Apply(json),
            etagHeader ?? etag ?? "",
            ts is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : DateTimeOffset.UtcNow,
            sessionToken,
            requestCharge);
    }

    /// <summary>The delay Cosmos asked for (<c>x-ms-retry-after-ms</c>), after the SDK's own retries.</summary>
    public static TimeSpan? RetryAfter(Headers? headers) =>
        double.TryParse(headers?["x-ms-retry-after-ms"], NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0
            ? TimeSpan.FromMilliseconds(milliseconds)
            : null;

    /// <summary>
    /// Cosmos's own explanation, without the activity id and request statistics it appends, and with
    /// "For Operation(N):" said as DocStore says it ("operation N:").
    /// </summary>
    public static string CleanMessage(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return "Cosmos DB gave no reason";
        }

        var message = raw.Trim();

        // The SDK's summary of a failed stream call: "Response status code does not indicate success: ...; Reason: (<body>);"
        var reason = message.IndexOf("Reason: (", StringComparison.Ordinal);
        if (reason >= 0)
        {
            message = message[(reason + "Reason: (".Length)..].TrimStart();
        }

        // The SDK's rendering of the error body: "code : BadRequest\nmessage : ...".
        var messageField = message.IndexOf("message : ", StringComparison.Ordinal);
        if (messageField >= 0)
        {
            message = message[(messageField + "message : ".Length)..].TrimStart();
        }

        // A JSON error body: {"code":"BadRequest","message":"..."}
        if (message.StartsWith('{'))
        {
            using var body = FirstJsonValue(message);
            if (body is not null && body.RootElement.ValueKind == JsonValueKind.Object
                && body.RootElement.TryGetProperty("message", out var inner) && inner.ValueKind == JsonValueKind.String)
            {
                message = inner.GetString()!.Trim();
            }
        }

        // The service's form: Message: {"Errors":["..."]}\r\nActivityId: ..., Request URI: ...
        if (message.StartsWith("Message: ", StringComparison.Ordinal))
        {
            message = message["Message: ".Length..];
            using var errors = FirstJsonValue(message);
            if (errors is not null && errors.RootElement.ValueKind == JsonValueKind.Object
                && errors.RootElement.TryGetProperty("Errors", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                message = string.Join(" ", list.EnumerateArray().Select(e => e.ToString()));
            }
        }

        var end = message.IndexOfAny(['\r', '\n']);
        message = end >= 0 ? message[..end] : message;
        message = message.TrimEnd(')', ';', ' ');

        message = OperationPrefix().Replace(message, m => $"operation {m.Groups[1].Value}:");
        message = LearnMore().Replace(message, "").Trim();
        return message.Length <= MaxMessageCharacters ? message : message[..MaxMessageCharacters] + "...";
    }

    /// <summary>The JSON value at the start of <paramref name="text"/>, ignoring what follows it.</summary>
    private static JsonDocument? FirstJsonValue(string text)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text), isFinalBlock: false, state: default);
        try
        {
            return JsonDocument.TryParseValue(ref reader, out var document) ? document : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<string> MessageAsync(ResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content is not null)
        {
            try
            {
                var body = await ReadAllAsync(response.Content, cancellationToken);
                using var error = JsonDocument.Parse(body);
                if (error.RootElement.ValueKind == JsonValueKind.Object && error.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    return CleanMessage(message.GetString());
                }
            }
            catch (JsonException)
            {
                // Not Cosmos's JSON error form; fall back to the SDK's summary.
            }
        }

        return CleanMessage(response.ErrorMessage);
    }

    private static int SubStatus(Headers headers) =>
        int.TryParse(headers["x-ms-substatus"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    public static async Task<ReadOnlyMemory<byte>> ReadAllAsync(Stream? content, CancellationToken cancellationToken)
    {
        if (content is null)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (content is MemoryStream memory && memory.TryGetBuffer(out var buffer))
        {
            return buffer.AsMemory()[(int)memory.Position..];
        }

        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken);
        return copy.GetBuffer().AsMemory(0, (int)copy.Length);
    }

    [GeneratedRegex(@"For Operation\((\d+)\)\s*:", RegexOptions.CultureInvariant)]
    private static partial Regex OperationPrefix();

    [GeneratedRegex(@"\s*Learn more:\s*\S+", RegexOptions.CultureInvariant)]
    private static partial Regex LearnMore();
}
