/**
 * The one place the CDK is imported from. Moving to the community continuation (CDK
 * Terrain) or another construct base touches this file only.
 */
export { App, TerraformStack, TerraformOutput, TerraformVariable, Fn, Token, Testing, Aspects } from 'cdktf';
export type { IAspect, ITerraformDependable } from 'cdktf';
export { Construct, type IConstruct, type IValidation } from 'constructs';
