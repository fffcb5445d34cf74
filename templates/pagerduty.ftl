<#--
  The PagerDuty incident summary (payload.summary, cut at 1,024 characters). Severity, source,
  component, links and custom_details come from the event. The data model is described in log.ftl.
-->
<#assign d = event.details>
<#if event.type == "node.spot_interrupted">
Spot instance interrupted<#if d.nodeName?has_content>: node ${d.nodeName}</#if><#if d.instanceType?has_content> (${d.instanceType})</#if><#if event.clusterName?has_content> in cluster ${event.clusterName}</#if>
<#elseif event.type == "notification">
[${event.severity}] ${event.title!}<#if (event.summary!"") != (event.title!"")>: ${event.summary!}</#if>
<#elseif event.origin == "event">
<#-- the summary of an event of this service's own shape names its type, node and cluster -->
CAST AI ${event.summary!}
<#else>
CAST AI ${event.type} in cluster ${event.clusterName!event.clusterId!"?"}: ${event.summary!}
</#if>
