using System.Diagnostics;
using System.Runtime.CompilerServices;
using DocStore.Server.Storage.Commands;

namespace DocStore.Server.Storage;

/// <summary>
/// Follows a change feed for as long as its reader wants it: the store's policy for a stream of changes, below the
/// transport that sends them. Each page is read as soon as a write may have committed (at once for this process's
/// writes, within the poll interval for others'); an empty page is given at least every heartbeat interval, so the
/// reader's continuation keeps moving; a passing outage (unavailable, throttled) is read through again after the poll
/// interval instead of ending the feed.
/// </summary>
/// <param name="store">The store, with session consistency.</param>
/// <param name="signal">The store's signal that a write may have committed.</param>
internal sealed class ChangeFeedFollower(IDocumentStore store, IChangeSignal signal)
{
    /// <summary>
    /// The pages to give the reader, starting at <paramref name="read"/>'s start: each with documents, or empty when a
    /// heartbeat is due; a page that failed for a reason other than an outage ends the feed after it is given.
    /// </summary>
    /// <param name="read">The first read; later reads continue from each page's continuation.</param>
    /// <param name="heartbeatInterval">The longest time between two pages given.</param>
    /// <param name="pollInterval">The longest wait before reading again.</param>
    /// <param name="observed">Called with every page read, given or not (metrics).</param>
    /// <param name="cancellationToken">Ends the feed.</param>
    public async IAsyncEnumerable<StorePage> FollowAsync(
        ReadChangeFeed read, TimeSpan heartbeatInterval, TimeSpan pollInterval, Action<StorePage> observed, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lastGiven = (long?)null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var page = await store.ExecuteAsync(read, cancellationToken);
            observed(page);
            if (page.Status is StoreStatus.Unavailable or StoreStatus.Throttled)
            {
                // A passing store outage does not end the feed; it reads again after the interval.
                await Task.Delay(pollInterval, cancellationToken);
                continue;
            }

            if (page.Status != StoreStatus.Ok)
            {
                yield return page;
                yield break;
            }

            read = read with { Start = new ChangeFeedStart.After(page.Continuation ?? "") };
            var sinceGiven = lastGiven is { } given ? Stopwatch.GetElapsedTime(given) : TimeSpan.MaxValue;
            if (page.Items.Count > 0 || sinceGiven >= heartbeatInterval)
            {
                yield return page;
                lastGiven = Stopwatch.GetTimestamp();
                sinceGiven = TimeSpan.Zero;
            }

            if (page.Items.Count < read.MaxItems)
            {
                var untilHeartbeat = heartbeatInterval - sinceGiven;
                await signal.WaitForChangesAsync(read.Collection, untilHeartbeat < pollInterval ? untilHeartbeat : pollInterval, cancellationToken);
            }
        }
    }
}
