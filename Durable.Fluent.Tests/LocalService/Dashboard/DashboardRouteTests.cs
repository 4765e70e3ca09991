using System.Net;
using Durable.Fluent.LocalService;
using Durable.Fluent.Tests.Cli;

namespace Durable.Fluent.Tests.LocalService.Dashboard;

/// <summary>
/// The dashboard's routes over HTTP: the embedded files with their types and a Content-Security-Policy that allows only the
/// service's own scripts, the redirect to the trailing slash, unknown files, caching by ETag, and the read-only graph route.
/// </summary>
public class DashboardRouteTests
{
    private LocalDurableService _service = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _service = new LocalDurableService()
            .Register("cli-approval", CliWorkflows.Approval)
            .Register("raw-handler", (input, store, ct) => Task.FromResult(new Durable.Fluent.Wire.DurableExecutionInvocationOutput { Status = Durable.Fluent.Wire.InvocationStatus.Succeeded }))
            .Start();
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _service.Endpoint };
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _http.Dispose();
        await _service.DisposeAsync();
    }

    [TestCase("dashboard/", "text/html", "<title>")]
    [TestCase("dashboard/app.js", "text/javascript", "'use strict'")]
    [TestCase("dashboard/graph.js", "text/javascript", "parseMermaid")]
    [TestCase("dashboard/app.css", "text/css", ".badge")]
    public async Task Each_file_is_served_from_the_assembly_with_its_type_and_a_strict_policy(string path, string type, string content)
    {
        using var response = await _http.GetAsync(path);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo(type));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(content));
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.That(csp, Does.Contain("script-src 'self'").And.Contain("default-src 'none'").And.Contain("frame-ancestors 'none'").And.Not.Contain("unsafe-inline"));
        Assert.That(response.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
    }

    [Test]
    public async Task The_page_loads_nothing_from_another_origin()
    {
        foreach (var file in new[] { "dashboard/", "dashboard/app.js", "dashboard/graph.js", "dashboard/app.css" })
        {
            var text = await _http.GetStringAsync(file);
            Assert.That(text, Does.Not.Match("(src|href)=\"(https?:)?//").And.Not.Contain("@import").And.Not.Match("fetch\\(['\"]https?:"), file);
        }
    }

    [Test]
    public async Task Dashboard_without_a_slash_redirects_and_an_unknown_file_is_404()
    {
        using var redirect = await _http.GetAsync("dashboard");
        Assert.That((int)redirect.StatusCode, Is.EqualTo(302));
        Assert.That(redirect.Headers.Location!.ToString(), Is.EqualTo("/dashboard/"));

        using var missing = await _http.GetAsync("dashboard/secrets.txt");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await missing.Content.ReadAsStringAsync(), Does.Contain("ResourceNotFoundException"));

        using var traversal = await _http.GetAsync("dashboard/..%2F..%2Fetc%2Fpasswd");
        Assert.That(traversal.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_file_is_not_sent_again_when_its_etag_matches()
    {
        using var first = await _http.GetAsync("dashboard/app.js");
        var etag = first.Headers.ETag!;
        using var request = new HttpRequestMessage(HttpMethod.Get, "dashboard/app.js");
        request.Headers.IfNoneMatch.Add(etag);
        using var second = await _http.SendAsync(request);

        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        Assert.That(await second.Content.ReadAsByteArrayAsync(), Is.Empty);
    }

    [Test]
    public async Task The_graph_route_answers_the_mermaid_of_a_registered_definition_and_404_for_a_raw_handler()
    {
        using var graph = await _http.GetAsync("dashboard/api/graph/cli-approval");
        Assert.That(graph.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await graph.Content.ReadAsStringAsync(), Is.EqualTo(CliWorkflows.Approval.ToMermaid()));

        using var raw = await _http.GetAsync("dashboard/api/graph/raw-handler");
        Assert.That(raw.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        using var unknown = await _http.GetAsync("dashboard/api/graph/nobody");
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        using var post = await _http.PostAsync("dashboard/api/graph/cli-approval", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed), "read-only");
    }

    [Test]
    public async Task A_page_of_another_site_cannot_read_the_dashboard_routes()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "dashboard/api/graph/cli-approval");
        request.Headers.Add("Origin", "https://evil.example");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var response = await _http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }
}
