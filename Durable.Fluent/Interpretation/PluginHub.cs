using Durable.Fluent.Plugins;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Interpretation;

/// <summary>Calls every registered plugin for a hook; a plugin that throws is logged and skipped, never fatal.</summary>
internal sealed class PluginHub(IReadOnlyList<IDurablePlugin> plugins, ILogger logger)
{
    public bool IsEmpty => plugins.Count == 0;

    public void Invoke<TInfo>(TInfo info, Action<IDurablePlugin, TInfo> hook, string hookName)
    {
        foreach (var plugin in plugins)
        {
            try
            {
                hook(plugin, info);
            }
            catch (Exception ex) when (ex is not InvocationTerminatedException)
            {
                logger.LogWarning(ex, "Plugin {Plugin} threw from {Hook}; the execution is not affected.", plugin.GetType().Name, hookName);
            }
        }
    }

    public void OperationStart(OperationInfo info) => Invoke(info, static (p, i) => p.OnOperationStart(i), nameof(IDurablePlugin.OnOperationStart));

    public void OperationEnd(OperationInfo info) => Invoke(info, static (p, i) => p.OnOperationEnd(i), nameof(IDurablePlugin.OnOperationEnd));

    public void AttemptStart(AttemptInfo info) => Invoke(info, static (p, i) => p.OnAttemptStart(i), nameof(IDurablePlugin.OnAttemptStart));

    public void AttemptEnd(AttemptInfo info) => Invoke(info, static (p, i) => p.OnAttemptEnd(i), nameof(IDurablePlugin.OnAttemptEnd));

    public void OperationChange(OperationChangeInfo info) => Invoke(info, static (p, i) => p.OnOperationChange(i), nameof(IDurablePlugin.OnOperationChange));

    public void InvocationStart(InvocationStartInfo info) => Invoke(info, static (p, i) => p.OnInvocationStart(i), nameof(IDurablePlugin.OnInvocationStart));

    public void InvocationEnd(InvocationEndInfo info) => Invoke(info, static (p, i) => p.OnInvocationEnd(i), nameof(IDurablePlugin.OnInvocationEnd));

    public static OperationInfo Live(string id, string? name, OperationType type, string? subType, string? parentId, int? attempt = null)
        => new() { Id = id, Name = name, Type = type, SubType = subType, ParentId = parentId, Attempt = attempt, IsReplay = false };
}
