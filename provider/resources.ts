/**
 * Every resource of the package, registered once: its model (inputs, outputs, type name and the
 * API path its id is formed from), its lifecycle (the dynamic provider Pulumi runs) and its class.
 * The exports, the generated `...Args` types and README tables, the test hosts, the emulator's
 * route table and the architecture test all iterate this list, so a new resource is its folder
 * and one line here.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import * as twoStepLifecycle from "./account/provider";
import { TwoStepVerification } from "./account/resource";
import { TwoStepVerificationModel } from "./account/schema";
import * as backupLifecycle from "./backup/backup-provider";
import { SettingsBackup, SettingsRestore } from "./backup/resources";
import * as restoreLifecycle from "./backup/restore-provider";
import { SettingsBackupModel, SettingsRestoreModel } from "./backup/schema";
import type { ResourceOptions } from "./connection-provider";
import * as mediaLifecycle from "./media/provider";
import { MediaProvider } from "./media/resource";
import { MediaProviderModel } from "./media/schema";
import type { ResourceModel } from "./model";
import * as businessLifecycle from "./profile/business/provider";
import { BusinessProfile } from "./profile/business/resource";
import { BusinessProfileModel } from "./profile/business/schema";
import * as photoLifecycle from "./profile/photo/provider";
import { ProfilePhoto } from "./profile/photo/resource";
import { ProfilePhotoModel } from "./profile/photo/schema";
import * as aboutLifecycle from "./profile/provider";
import { ProfileAbout } from "./profile/resource";
import { ProfileAboutModel } from "./profile/schema";
import * as settingsLifecycle from "./settings/provider";
import { ApplicationSettings } from "./settings/resource";
import { ApplicationSettingsModel } from "./settings/schema";

/** One registered resource. */
export interface Registered<T extends string = string> {
  model: ResourceModel<z.ZodObject, z.ZodObject, T>;
  /** The module Pulumi serializes as the resource's dynamic provider. */
  lifecycle: pulumi.dynamic.ResourceProvider;
  /** The class a program declares, named after `model.type`. */
  resource: new (
    name: string,
    args: never,
    opts?: ResourceOptions,
  ) => pulumi.dynamic.Resource;
}

function registered<T extends string>(
  model: ResourceModel<z.ZodObject, z.ZodObject, T>,
  lifecycle: pulumi.dynamic.ResourceProvider,
  resource: Registered["resource"],
): Registered<T> {
  return { model, lifecycle, resource };
}

/** In the order the generated docs list them. */
export const RESOURCES = [
  registered(ApplicationSettingsModel, settingsLifecycle, ApplicationSettings),
  registered(SettingsBackupModel, backupLifecycle, SettingsBackup),
  registered(SettingsRestoreModel, restoreLifecycle, SettingsRestore),
  registered(MediaProviderModel, mediaLifecycle, MediaProvider),
  registered(ProfileAboutModel, aboutLifecycle, ProfileAbout),
  registered(BusinessProfileModel, businessLifecycle, BusinessProfile),
  registered(TwoStepVerificationModel, twoStepLifecycle, TwoStepVerification),
  registered(ProfilePhotoModel, photoLifecycle, ProfilePhoto),
] as const;

/** The type name of a registered resource (`"ApplicationSettings"`). */
export type ResourceType = (typeof RESOURCES)[number]["model"]["type"];

/** Every registered type name, in registry order. */
export const RESOURCE_TYPES: readonly ResourceType[] = RESOURCES.map((entry) => entry.model.type);
