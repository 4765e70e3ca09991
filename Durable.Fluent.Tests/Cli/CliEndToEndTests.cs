using System.Text.RegularExpressions;
using Durable.Fluent.Tests.LocalService;

namespace Durable.Fluent.Tests.Cli;

/// <summary>
/// The README's terminal session, run as the user runs it: the built tool as separate processes — <c>durable serve</c> with
/// the order example's assembly and a SQLite file, then <c>start</c>, <c>history</c> (until the approval callback is
/// waiting), <c>callback succeed</c> and <c>history --follow</c> to the end; Ctrl+C stops the service cleanly. Real time:
/// the order's payment retry and 30-second wait make it take about 35 seconds.
/// </summary>
[Category("EndToEnd")]
[NonParallelizable]
public class CliEndToEndTests : TempFolderFixture
{
    private static readonly TimeSpan Command = TimeSpan.FromSeconds(90);

    [Test]
    public async Task Serve_start_history_and_callback_run_an_order_end_to_end_as_processes()
    {
        using var serve = CliHarness.StartTool(Folder, "serve", "--port", "0", "--db", Path.Combine(".durable", "orders.db"), "--assembly", CliHarness.OrderAssembly);
        var banner = await serve.WaitForOutputAsync("Press Ctrl+C", TimeSpan.FromSeconds(120));
        Assert.That(banner, Does.Contain("function order-processor: OrderProcessing.OrderWorkflow.Definition"));
        var endpoint = Regex.Match(banner, @"http://127\.0\.0\.1:\d+/").Value;

        var order = """{"orderId":"order-e2e","customerEmail":"jane@example.com","amount":42.5,"items":["book","lamp"]}""";
        var start = await CliHarness.RunToolAsync(Folder, Command, "start", "order-processor", "--name", "order-e2e", "--input", order, "--endpoint", endpoint);
        Assert.That(start.Exit, Is.Zero, start.ToString());
        Assert.That(start.Out.Trim(), Does.StartWith("arn:aws:lambda:").And.Contain("order-e2e"));

        string? callbackId = null;
        var deadline = DateTime.UtcNow.AddSeconds(150);
        CliRun history;
        do
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            history = await CliHarness.RunToolAsync(Folder, Command, "history", "order-e2e", "--function", "order-processor", "--endpoint", endpoint);
            Assert.That(history.Exit, Is.Zero, history.ToString());
            var m = Regex.Match(history.Out, @"durable callback succeed (\S+)");
            callbackId = m.Success ? m.Groups[1].Value : null;
        }
        while (callbackId is null && DateTime.UtcNow < deadline);

        Assert.That(callbackId, Is.Not.Null, "the order never waited on its approval: " + history);
        Assert.That(history.Out, Does.Contain("step 'process_payment' attempt 1 failed").And.Contain("wait 'payment_confirmation_wait' is over"));

        var answer = await CliHarness.RunToolAsync(Folder, Command, "callback", "succeed", callbackId!, "--result", """{"approved":true,"by":"you@example.com"}""", "--endpoint", endpoint);
        Assert.That(answer.Exit, Is.Zero, answer.ToString());

        var follow = await CliHarness.RunToolAsync(Folder, Command, "history", "order-e2e", "--function", "order-processor", "--follow", "--endpoint", endpoint);
        Assert.That(follow.Exit, Is.Zero, follow.ToString());
        Assert.That(follow.Out, Does.Contain("callback 'approval_callback").And.Contain("SUCCEEDED").And.Contain("\"status\":\"shipped\"").And.Contain("you@example.com"));

        serve.Terminate();
        var served = await serve.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(served.Exit, Is.Zero, served.ToString());
        Assert.That(served.Out, Does.Contain("Approval requested for order-e2e"), "the workflow's log lines reach the serve terminal");
        Assert.That(File.Exists(Path.Combine(Folder, ".durable", "orders.db")), Is.True);
    }
}
