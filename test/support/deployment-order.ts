/** What a synthesized template says about the order CloudFormation deploys its resources in. */

interface TemplateResource {
  readonly DependsOn?: string | string[];
  readonly Properties?: unknown;
}

/** A synthesized template, as `Template.toJSON()` returns it. */
export interface TemplateJson {
  readonly Resources: Record<string, TemplateResource>;
}

/**
 * Whether CloudFormation finishes `dependency` before it starts `dependent`: a path of DependsOn,
 * Ref or Fn::GetAtt between them. Without one, CloudFormation may run both at once.
 */
export function waitsFor(template: TemplateJson, dependent: string, dependency: string): boolean {
  const seen = new Set<string>();
  const pending = [dependent];
  while (pending.length > 0) {
    const next = pending.pop()!;
    for (const direct of directDependencies(template, next)) {
      if (direct === dependency) return true;
      if (!seen.has(direct)) {
        seen.add(direct);
        pending.push(direct);
      }
    }
  }
  return false;
}

/** The resources of the template that `logicalId` names in DependsOn, Ref or Fn::GetAtt. */
export function directDependencies(template: TemplateJson, logicalId: string): string[] {
  const resource = template.Resources[logicalId];
  if (!resource) return [];
  const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
  const referenced: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (node && typeof node === 'object') {
      const { Ref: ref, 'Fn::GetAtt': getAtt } = node as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
      if (typeof ref === 'string') referenced.push(ref);
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') referenced.push(getAtt[0]);
      Object.values(node).forEach(visit);
    }
  };
  visit(resource.Properties);
  return [...dependsOn, ...referenced].filter((id) => id in template.Resources);
}
