using Durable.Fluent;

namespace BestPractices;

// Seed: "Performance optimization".

/// <summary>Minimize checkpoint size: store large data elsewhere and checkpoint a reference (an S3 key).</summary>
public static class SmallCheckpoints
{
    public static readonly Workflow<string, string> Definition =
        Workflow.For<string>()
            .Then("process_large_dataset", (s3Key, ctx) =>
            {
                var data = BlobStore.Download(s3Key);            // megabytes, never checkpointed
                var result = data.ToUpperInvariant();
                return BlobStore.Upload(result);                  // checkpoint only the new key
            })
            .Build();
}

/// <summary>A stand-in for S3.</summary>
public static class BlobStore
{
    private static readonly Dictionary<string, string> Blobs = new() { ["input/data.csv"] = new string('a', 1_000_000) };

    public static string Download(string key)
    {
        lock (Blobs)
        {
            return Blobs[key];
        }
    }

    public static string Upload(string content)
    {
        lock (Blobs)
        {
            var key = $"output/{Blobs.Count}.csv";
            Blobs[key] = content;
            return key;
        }
    }
}

/// <summary>Batch operations: 10 items per child context instead of one context per item.</summary>
public static class BatchedItems
{
    public static readonly Workflow<int[], int[]> Definition =
        Workflow.For<int[]>()
            .Map("process_items", items => items, (item, index) => item * 2, m => m.BatchSize(10).MaxConcurrency(2))
            .Select(batch => batch.Results.ToArray())
            .Build();
}

/// <summary>Use parallel operations for independent work: user, orders and preferences fetched concurrently.</summary>
public static class ParallelFetch
{
    public sealed record UserData(string UserId, string Name);

    public sealed record Profile(UserData User, string[] Orders, Dictionary<string, string> Preferences);

    public static readonly Workflow<string, Profile> Definition =
        Workflow.For<string>()
            .Parallel("load_profile", p => p
                .Branch("user", b => b.Then("fetch_user_data", (id, ctx) => new UserData(id, "Jane")))
                .Branch("orders", b => b.Then("fetch_order_history", (id, ctx) => new[] { "o-1", "o-2" }))
                .Branch("preferences", b => b.Then("fetch_preferences", (id, ctx) => new Dictionary<string, string> { ["theme"] = "dark" })))
            .Select(r =>
            {
                var (user, orders, preferences) = r.Values;
                return new Profile(user, orders, preferences);
            })
            .Build();
}

/// <summary>Avoid unnecessary waits: wait only where the outside world needs time.</summary>
public static class NecessaryWait
{
    public static readonly Workflow<string, string> Definition =
        Workflow.For<string>()
            .Then("start_job", (data, ctx) => $"job-{data}")
            .Wait("job_processing_wait", TimeSpan.FromSeconds(30))
            .Then("check_job_status", (jobId, ctx) => $"{jobId}:done")
            .Build();
}
