using System.Text.Json;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.LocalService;
using Durable.Fluent.Tests.Cli;
using Durable.Fluent.Wire;
using Microsoft.Playwright;

namespace Durable.Fluent.Tests.LocalService.Dashboard;

/// <summary>
/// The dashboard in a real headless browser: Debian's Chromium (<c>/usr/bin/chromium</c>, or <c>DURABLE_CHROMIUM</c>),
/// driven by Microsoft.Playwright over CDP with a fresh profile. The pages load, show a running execution with its graph,
/// operations and history, escape a hostile payload, and a callback answered from the page completes the execution; the
/// stop, heartbeat and failure buttons act too. No console error (a script error or a Content-Security-Policy violation)
/// may appear. Screenshots go to the test's output folder, and to <c>DURABLE_SCREENSHOTS</c> when set (the PNGs in docs/).
/// </summary>
[Category("Browser")]
[NonParallelizable]
public class DashboardBrowserTests
{
    private const string Hostile = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>";

    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private LocalDurableService _service = null!;
    private LambdaDurableExecutionClient _client = null!;
    private IPlaywright _playwright = null!;
    private IBrowserContext _browser = null!;
    private string _profile = null!;
    private readonly List<string> _consoleErrors = [];

    [OneTimeSetUp]
    public async Task Launch()
    {
        var chromium = Environment.GetEnvironmentVariable("DURABLE_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            Assert.Fail($"The dashboard browser tests need Chromium at {chromium}: install it with 'apt-get install -y chromium' (.ci/run does), or set DURABLE_CHROMIUM.");
        }

        _service = new LocalDurableService()
            .Register("cli-approval", CliWorkflows.Approval)
            .Register("cli-greeter", CliWorkflows.Greeter)
            .Start();
        _client = _service.CreateClient();
        _playwright = await Playwright.CreateAsync();
        _profile = Directory.CreateTempSubdirectory("durable-chromium-").FullName;
        _browser = await _playwright.Chromium.LaunchPersistentContextAsync(_profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ChromiumArgs,
            ViewportSize = new ViewportSize { Width = 1360, Height = 900 },
        });

        // Deadlock guards, not expectations about speed: Playwright's defaults (5 s per expectation, 30 s per action) fail
        // a test when a loaded CI machine is merely slow to render or to start the browser's work.
        Assertions.SetDefaultExpectTimeout(60_000);
        _browser.SetDefaultTimeout(60_000);
    }

    [OneTimeTearDown]
    public async Task Close()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        _client?.Dispose();
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentNullException)
        {
            // A temp profile left behind is harmless.
        }
    }

    [Test]
    public async Task The_pages_show_a_running_execution_and_a_callback_answered_from_the_page_completes_it()
    {
        var done = _service.StartExecution("cli-greeter", "\"Ada\"", "greeting-1");
        await _service.WaitForIdleAsync(done);
        var ticket = JsonSerializer.Serialize(new { id = "ticket-7", note = Hostile });
        var arn = _service.StartExecution("cli-approval", ticket, "ticket-7");
        await WaitForCallbackAsync(arn);

        var page = await NewPageAsync();
        await page.GotoAsync(_service.Endpoint + "dashboard/");
        var row = page.Locator("tr[data-arn]", new() { HasText = "ticket-7" });
        await Assertions.Expect(row).ToBeVisibleAsync();
        await Assertions.Expect(row.Locator(".badge")).ToHaveTextAsync("RUNNING");
        await Assertions.Expect(page.Locator("tr[data-arn]", new() { HasText = "greeting-1" }).Locator(".badge")).ToHaveTextAsync("SUCCEEDED");
        await Screenshot(page, "dashboard-executions.png");

        await row.Locator("a").ClickAsync();
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("RUNNING");
        await Assertions.Expect(page.Locator("#graph g.node[data-name='prepare']")).ToHaveAttributeAsync("data-state", "succeeded");
        await Assertions.Expect(page.Locator("#graph g.node[data-name='approval']")).ToHaveAttributeAsync("data-state", "waiting");
        await Assertions.Expect(page.Locator("#graph g.node[data-name='finish']")).ToHaveAttributeAsync("data-state", "notreached");
        await Assertions.Expect(page.Locator("#operations tr[data-operation='approval-callback'] .badge")).ToHaveTextAsync("STARTED");
        await Assertions.Expect(page.Locator("#operations tr[data-operation='prepare'] .badge")).ToHaveTextAsync("SUCCEEDED");
        await Assertions.Expect(page.Locator("#timeline li[data-event='CallbackStarted']")).ToHaveCountAsync(1);

        // The hostile note is shown as text: no element was made from it and no script of it ran.
        await Assertions.Expect(page.Locator(".payload-box[data-key='input'] pre")).ToContainTextAsync("<img src=x onerror=");
        Assert.That(await page.Locator("img").CountAsync(), Is.Zero);
        Assert.That(await page.EvaluateAsync<bool>("() => window.__xss === undefined"), Is.True, "a script from the payload ran");
        await Screenshot(page, "dashboard-execution.png");

        await page.Locator(".callback-result").FillAsync("""{"approved":true,"by":"the dashboard"}""");
        await page.Locator(".send-success").ClickAsync();
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("SUCCEEDED", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#graph g.node[data-name='finish']")).ToHaveAttributeAsync("data-state", "succeeded");
        await Screenshot(page, "dashboard-execution-succeeded.png");

        var execution = await _client.GetDurableExecutionAsync(arn);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(execution.Result, Is.EqualTo("\"ticket-7 approved by the dashboard\""));
        Assert.That(_consoleErrors, Is.Empty, "script errors or Content-Security-Policy violations");
    }

    [Test]
    public async Task Heartbeat_failure_and_stop_buttons_act_on_the_execution()
    {
        var failing = _service.StartExecution("cli-approval", """{"id":"t-fail","note":"-"}""", "ticket-fail");
        var stopping = _service.StartExecution("cli-approval", """{"id":"t-stop","note":"-"}""", "ticket-stop");
        await WaitForCallbackAsync(failing);
        await WaitForCallbackAsync(stopping);

        var page = await NewPageAsync();
        await page.GotoAsync(_service.Endpoint + "dashboard/#/execution/" + Uri.EscapeDataString(failing));
        await page.Locator(".send-heartbeat").ClickAsync();
        await Assertions.Expect(page.Locator("#notice")).ToHaveTextAsync("Heartbeat sent.");
        await page.Locator(".callback-error-type").FillAsync("Rejected");
        await page.Locator(".callback-error-message").FillAsync("over budget");
        await page.Locator(".send-failure").ClickAsync();
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("FAILED", new() { Timeout = 60_000 });
        Assert.That((await _client.GetDurableExecutionAsync(failing)).Error?.ErrorMessage, Does.Contain("over budget"));

        await page.GotoAsync(_service.Endpoint + "dashboard/#/execution/" + Uri.EscapeDataString(stopping));
        var stop = page.Locator("button.stop");
        await stop.ClickAsync();
        await Assertions.Expect(stop).ToHaveTextAsync("Click again to stop it");
        Assert.That((await _client.GetDurableExecutionAsync(stopping)).Status, Is.EqualTo(ExecutionStatus.Running), "one click does not stop it");
        await stop.ClickAsync();
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("STOPPED", new() { Timeout = 60_000 });
        Assert.That((await _client.GetDurableExecutionAsync(stopping)).Status, Is.EqualTo(ExecutionStatus.Stopped));

        await page.GotoAsync(_service.Endpoint + "dashboard/");
        await page.Locator("input[type=checkbox][value=STOPPED]").CheckAsync();
        await Assertions.Expect(page.Locator("tr[data-arn]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("tr[data-arn]")).ToContainTextAsync("ticket-stop");
        Assert.That(_consoleErrors, Is.Empty, "script errors or Content-Security-Policy violations");
    }

    private async Task<IPage> NewPageAsync()
    {
        var page = await _browser.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_consoleErrors)
                {
                    _consoleErrors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_consoleErrors)
            {
                _consoleErrors.Add(error);
            }
        };
        return page;
    }

    private async Task WaitForCallbackAsync(string arn)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60); // only a hang reaches it
        while (DateTime.UtcNow < deadline)
        {
            await _service.WaitForIdleAsync(arn);
            var history = await _client.GetDurableExecutionHistoryAsync(arn);
            if (history.Events.Any(e => e.EventType == HistoryEventType.CallbackStarted))
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("The execution never waited on its callback.");
    }

    private static async Task Screenshot(IPage page, string name)
    {
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path);
        if (Environment.GetEnvironmentVariable("DURABLE_SCREENSHOTS") is { Length: > 0 } target)
        {
            Directory.CreateDirectory(target);
            File.Copy(path, Path.Combine(target, name), overwrite: true);
        }
    }
}
