/**
 * The Amazon EC2 and Service Quotas emulator, {@link dev.kiln.emulators.aws.Ec2Emulator}. Everything
 * else in this package is its implementation. {@code PACKER_CALLS.md} beside these classes records
 * the calls packer 1.6.6's amazon-ebs builder makes against it.
 */
package dev.kiln.emulators.aws;
