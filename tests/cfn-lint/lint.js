// Lints a CloudFormation template: node lint.js TEMPLATE.json; prints cfn-lint's result as JSON, exits 1 when invalid.
// cfn-lint (npm) carries a 2019 resource specification that lacks AWS::IAM::OIDCProvider, S3 OwnershipControls and
// IAM role descriptions; its checks run here against the specification @aws-cdk/cfnspec ships (CloudFormation's own,
// 2023), which it reads through the same module field.
'use strict';
const path = require('path');
const modules = path.join(__dirname, 'node_modules');
const awsData = require(path.join(modules, 'cfn-lint/lib/awsData'));
awsData.awsResources = require(path.join(modules, '@aws-cdk/cfnspec/spec/specification.json'));
const api = require(path.join(modules, 'cfn-lint/lib/api'));
const result = api.validateFile(process.argv[2], {});
process.stdout.write(JSON.stringify(result, null, 1) + '\n');
process.exit(result.templateValid ? 0 : 1);
