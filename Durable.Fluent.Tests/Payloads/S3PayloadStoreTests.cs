using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Durable.Fluent.Payloads;
using Durable.Fluent.S3;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Payloads;

/// <summary>
/// The S3 payload store against a real S3-compatible server: s3rver (npm, pinned in test-tools/), started on a free
/// loopback port for this fixture and stopped after it. No mocks. build.ps1 -Task test installs it (npm ci).
/// </summary>
[NonParallelizable]
public class S3PayloadStoreTests
{
    private const string Bucket = "durable-test";
    private Process? _server;
    private string _data = null!;
    private Uri _endpoint = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        var script = Path.Combine(RepositoryRoot(), "test-tools", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            Assert.Fail($"s3rver is not installed ({script} is missing). Run `dotnet pwsh build.ps1 -Task test`, which runs `npm ci` in test-tools/, or run `npm ci --prefix test-tools` yourself.");
        }

        _data = Path.Combine(Path.GetTempPath(), "durable-s3rver-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_data);
        var port = FreePort();
        _endpoint = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { script, "-d", _data, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-vhost-buckets", "--configure-bucket", Bucket })
        {
            start.ArgumentList.Add(arg);
        }

        _server = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        var stderr = new StringBuilder();
        _server.ErrorDataReceived += (_, e) => stderr.AppendLine(e.Data);
        _server.OutputDataReceived += (_, _) => { };
        _server.BeginErrorReadLine();
        _server.BeginOutputReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_server.HasExited)
            {
                Assert.Fail($"s3rver exited with code {_server.ExitCode} before listening: {stderr}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    [OneTimeTearDown]
    public void StopServer()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            _server.WaitForExit(10_000);
        }

        _server?.Dispose();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private S3PayloadStore Store(string bucket = Bucket, string? prefix = "payloads/") => S3PayloadStore.Create(new S3PayloadStoreOptions
    {
        Bucket = bucket,
        Prefix = prefix,
        ServiceUrl = _endpoint,
        ForcePathStyle = true,
        Credentials = new BasicAWSCredentials("S3RVER", "S3RVER"),
    });

    [Test]
    public async Task Writes_reads_and_deletes_objects_under_the_prefix()
    {
        var store = Store();
        Assert.That(store.Name, Is.EqualTo("s3://durable-test"));
        var payload = Encoding.UTF8.GetBytes("{\"héllo\":\"wörld\"}");
        await store.WriteAsync("exec1/op1/abc", payload, CancellationToken.None);
        await store.WriteAsync("exec1/op2/def", payload, CancellationToken.None);
        await store.WriteAsync("exec2/op1/abc", payload, CancellationToken.None);

        Assert.That(await store.ReadAsync("exec1/op1/abc", CancellationToken.None), Is.EqualTo(payload));
        Assert.That(await store.ReadAsync("exec1/op9/zzz", CancellationToken.None), Is.Null);
        using var raw = new AmazonS3Client(new BasicAWSCredentials("S3RVER", "S3RVER"), new AmazonS3Config { ServiceURL = _endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        using (var obj = await raw.GetObjectAsync(Bucket, "payloads/exec1/op1/abc"))
        {
            Assert.That(obj.ContentLength, Is.EqualTo(payload.Length), "stored under the prefix, byte for byte");
        }

        Assert.That(await store.DeleteAsync("exec1", CancellationToken.None), Is.EqualTo(2));
        Assert.That(await store.ReadAsync("exec1/op2/def", CancellationToken.None), Is.Null);
        Assert.That(await store.ReadAsync("exec2/op1/abc", CancellationToken.None), Is.EqualTo(payload), "another execution's prefix is untouched");
    }

    [Test]
    public async Task A_step_returning_2_MiB_is_offloaded_to_S3_and_replayed_from_it()
    {
        var runs = 0;
        var store = new ReadCounter(Store());
        var wf = Workflow.For<int>()
            .Then("big", (_, _) =>
            {
                runs++;
                return new string('s', 2 * 1024 * 1024);
            })
            .Wait("pause", TimeSpan.FromSeconds(1))
            .Then("measure", (s, _) => s.Length)
            .Build(new WorkflowOptions { PayloadOffload = new PayloadOffloadOptions(store) });
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 0);

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded), execution.Error?.ErrorMessage);
        Assert.That(execution.Result, Is.EqualTo(2 * 1024 * 1024));
        Assert.That(runs, Is.EqualTo(1));
        Assert.That(store.Reads, Is.EqualTo(1), "the replay read the result from S3");
        var reference = PayloadReference.Parse(execution.GetOperation("big").StepDetails!.Result!);
        Assert.That(reference.Store, Is.EqualTo("s3://durable-test"));
        Assert.That(await PayloadReference.ReadAsync(store, execution.GetOperation("big").StepDetails!.Result), Is.EqualTo(JsonSerializer.Serialize(new string('s', 2 * 1024 * 1024))));

        Assert.That(await store.DeleteExecutionAsync(execution.DurableExecutionArn), Is.EqualTo(1));
        Assert.That(await store.ReadAsync(reference.Key, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task A_missing_bucket_fails_the_execution_with_the_store_error_instead_of_retrying_forever()
    {
        var wf = Workflow.For<int>()
            .Then("big", (_, _) => new string('m', 300_000))
            .Build(new WorkflowOptions { PayloadOffload = new PayloadOffloadOptions(Store(bucket: "no-such-bucket")) });
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 0);

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorType, Is.EqualTo(typeof(PayloadStoreException).FullName));
        Assert.That(execution.Error.ErrorMessage, Does.Contain("s3://no-such-bucket").And.Contain("NoSuchBucket"));
        Assert.That(execution.Invocations, Is.EqualTo(1), "a rejected request is not retried");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Durable.Fluent.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Durable.Fluent.sln) was not found above the test directory.");
    }

    private sealed class ReadCounter(IPayloadStore inner) : IPayloadStore
    {
        public int Reads;

        public string Name => inner.Name;

        public Task WriteAsync(string key, ReadOnlyMemory<byte> utf8Payload, CancellationToken cancellationToken) => inner.WriteAsync(key, utf8Payload, cancellationToken);

        public Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Reads);
            return inner.ReadAsync(key, cancellationToken);
        }

        public Task<int> DeleteAsync(string keyPrefix, CancellationToken cancellationToken) => inner.DeleteAsync(keyPrefix, cancellationToken);
    }
}
