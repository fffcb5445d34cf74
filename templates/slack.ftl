<#--
  The Slack message text (also the notification's fallback text). The service adds Block Kit
  blocks around it: one section per paragraph (paragraphs are separated by a blank line), the
  cluster, node, instance type and lifecycle as fields, and a link to the cluster in the console.
  Slack mrkdwn: *bold*, _italic_, <https://example.com|a link>; write &amp; &lt; &gt; for & < >.
  The event's own texts come escaped that way already: a sender's <!channel> pings nobody.
  The data model is described in log.ftl.
-->
<#assign d = event.details>
<#if event.type == "node.added">
:kubernetes: CAST AI: New ${d.lifecycle!} node: ${d.instanceType!}
<#elseif event.type == "node.removed">
CAST AI: Node removed: ${d.nodeName!} in cluster ${event.clusterName!}
<#elseif event.type == "node.spot_interrupted">
:warning: CAST AI: Spot instance interrupted: node ${d.nodeName!} (${d.instanceType!}) in cluster ${event.clusterName!}
<#elseif event.type == "savings.threshold">
:moneybag: CAST AI: Savings threshold crossed: ${d.savingsImpact!}% in cluster ${event.clusterName!}
<#elseif event.type == "savings.daily">
${event.summary!}
<#elseif event.type == "notification" && event.severity.paging>
:rotating_light: CAST AI [${event.severity}] ${event.title!} (cluster ${event.clusterName!}): ${event.summary!}
<#elseif event.type == "notification">
:information_source: CAST AI [${event.severity}] ${event.title!} (cluster ${event.clusterName!}): ${event.summary!}
<#else>
CAST AI ${event.type} [${event.severity}]: ${event.summary!}
</#if>
