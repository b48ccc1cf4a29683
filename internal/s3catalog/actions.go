package s3catalog

// The action table follows AWS's Service Authorization Reference, "Actions,
// resources, and condition keys for Amazon S3" (service prefix s3), as its
// machine-readable form stood when this table was written (December 2026).
// For each action: the resource types of its Resource element (an action
// the reference lists with no resource type takes Resource "*" only) and
// the union of the condition keys the reference lists for it under any of
// its resource types. Dependent actions and access levels are left out.
//
// To update it, compare with the reference's actions table and keep the
// groups below: most actions share the request keys (std), the bucket keys,
// or the access point keys, and differ by a few of their own.

// Request keys nearly every action supports.
var std = []string{
	"s3:authType", "s3:ResourceAccount", "s3:signatureAge", "s3:signatureversion",
	"s3:TlsVersion", "s3:x-amz-content-sha256",
}

// stdNoSHA is std without s3:x-amz-content-sha256, which the reference
// leaves out for Multi-Region Access Points and Object Lock configuration.
var stdNoSHA = std[:5]

var (
	bucketKeys = []string{"aws:ResourceTag/${TagKey}", "s3:BucketTag/${TagKey}"}
	apKeys     = []string{
		"aws:ResourceTag/${TagKey}", "s3:AccessPointNetworkOrigin",
		"s3:AccessPointTag/${TagKey}", "s3:DataAccessPointAccount", "s3:DataAccessPointArn",
	}
	// apNoTagKeys are the access point keys of Object Lambda and
	// Multi-Region Access Points, which carry no tags.
	apNoTagKeys = []string{
		"s3:AccessPointNetworkOrigin", "s3:DataAccessPointAccount", "s3:DataAccessPointArn",
	}
	tagKeys   = []string{"aws:RequestTag/${TagKey}", "aws:ResourceTag/${TagKey}", "aws:TagKeys"}
	newTags   = []string{"aws:RequestTag/${TagKey}", "aws:TagKeys"}
	grantKeys = []string{"s3:AccessGrantsInstanceArn"}
	aclKeys   = []string{
		"s3:x-amz-acl", "s3:x-amz-grant-full-control", "s3:x-amz-grant-read",
		"s3:x-amz-grant-read-acp", "s3:x-amz-grant-write", "s3:x-amz-grant-write-acp",
	}
	sseKeys = []string{
		"s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id",
		"s3:x-amz-server-side-encryption-customer-algorithm",
	}
	writeKeys = []string{
		"s3:RequestObjectTag/<key>", "s3:RequestObjectTagKeys", "s3:x-amz-copy-source",
		"s3:x-amz-metadata-directive", "s3:x-amz-storage-class",
		"s3:x-amz-website-redirect-location",
	}
	lockKeys = []string{
		"s3:object-lock-mode", "s3:object-lock-remaining-retention-days",
		"s3:object-lock-retain-until-date",
	}
	listKeys  = []string{"s3:delimiter", "s3:max-keys", "s3:prefix"}
	jobKeys   = []string{"s3:ExistingJobOperation", "s3:ExistingJobPriority"}
	annoKeys  = []string{"s3:ExistingObjectTag/<key>", "s3:x-amz-object-if-match"}
	objTag    = []string{"s3:ExistingObjectTag/<key>"}
	versionID = []string{"s3:versionid"}
	locScope  = []string{"s3:AccessGrantsLocationScope"}
	grantScpe = []string{"s3:AccessGrantScope"}
)

// Resource type lists the table shares.
var (
	objects    = []ResourceType{AccessPointObject, Object}
	objectOnly = []ResourceType{Object}
	bucketOnly = []ResourceType{Bucket}
	bucketOrAP = []ResourceType{AccessPoint, Bucket}
	apOnly     = []ResourceType{AccessPoint}
	olap       = []ResourceType{ObjectLambdaAccessPoint}
	mrap       = []ResourceType{MultiRegionAccessPoint}
	jobs       = []ResourceType{Job}
	lens       = []ResourceType{StorageLensConfiguration}
	lensGroup  = []ResourceType{StorageLensGroup}
	grantsInst = []ResourceType{AccessGrantsInstance}
	grantsLoc  = []ResourceType{AccessGrantsLocation}
	grants     = []ResourceType{AccessGrant}
	taggable   = []ResourceType{
		AccessGrant, AccessGrantsInstance, AccessGrantsLocation, AccessPoint, Bucket,
		StorageLensGroup,
	}
	noResources []ResourceType
)

// keys joins key groups, leaving out repeats.
func keys(groups ...[]string) []string {
	var out []string
	seen := map[string]bool{}
	for _, g := range groups {
		for _, k := range g {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// Common key sets.
var (
	bucketStd = keys(std, bucketKeys)
	objStd    = keys(std, bucketKeys, apKeys)     // objects, also through access points
	objGrant  = keys(objStd, grantKeys)           // ... and S3 Access Grants
	apStd     = keys(std, apKeys)                 // access points
	bucketAP  = keys(std, apKeys, bucketKeys)     // buckets, also through access points
	olapStd   = keys(std, apNoTagKeys)            // Object Lambda access points
	mrapStd   = keys(stdNoSHA, apNoTagKeys)       // Multi-Region Access Points
	tagStd    = keys(tagKeys, std)                // jobs, Storage Lens, Access Grants
	objRead   = keys(objGrant, objTag)            // GetObject and GetObjectAcl
	objVer    = keys(objGrant, objTag, versionID) // versioned reads with Access Grants
	objVerTag = keys(objStd, objTag, versionID)   // versioned reads without
	annoStd   = keys(objStd, annoKeys)            // annotation writes
	replStd   = keys(bucketKeys, std)             // replication and object-only actions
	putObject = keys(objGrant, []string{"s3:if-match", "s3:if-none-match",
		"s3:object-lock-legal-hold"}, lockKeys, []string{"s3:ObjectCreationOperation"},
		aclKeys, writeKeys, []string{"s3:x-amz-object-annotation-directive"}, sseKeys)
)

var table = []Action{
	{"AbortMultipartUpload", objects, objGrant},
	{"AllowVendedLogDeliveryForResource", bucketOnly, keys(bucketKeys,
		[]string{"s3:deliverySourceArn", "s3:logType", "s3:resourceArnBeingAuthorized"})},
	{"AssociateAccessGrantsIdentityCenter", grantsInst, tagStd},
	{"BypassGovernanceRetention", objects, keys(objStd, aclKeys, writeKeys, sseKeys)},
	{"CreateAccessGrant", grants, keys(tagStd, grantScpe)},
	{"CreateAccessGrantsInstance", grantsInst, tagStd},
	{"CreateAccessGrantsLocation", grantsLoc, keys(tagStd, locScope)},
	{"CreateAccessPoint", apOnly, keys(tagKeys, apStd,
		[]string{"s3:locationconstraint", "s3:x-amz-acl"})},
	{"CreateAccessPointForObjectLambda", olap, olapStd},
	{"CreateBucket", bucketOnly, keys(tagKeys, bucketStd, aclKeys, []string{
		"s3:locationconstraint", "s3:x-amz-bucket-namespace", "s3:x-amz-object-ownership"})},
	{"CreateBucketMetadataTableConfiguration", bucketOnly, bucketStd},
	{"CreateJob", noResources, keys(newTags, std,
		[]string{"s3:RequestJobOperation", "s3:RequestJobPriority"})},
	{"CreateMultiRegionAccessPoint", mrap, mrapStd},
	{"CreateStorageLensGroup", noResources, keys(newTags, std)},
	{"DeleteAccessGrant", grants, keys(tagStd, grantScpe)},
	{"DeleteAccessGrantsInstance", grantsInst, tagStd},
	{"DeleteAccessGrantsInstanceResourcePolicy", grantsInst, tagStd},
	{"DeleteAccessGrantsLocation", grantsLoc, keys(tagStd, locScope)},
	{"DeleteAccessPoint", apOnly, apStd},
	{"DeleteAccessPointForObjectLambda", olap, olapStd},
	{"DeleteAccessPointPolicy", apOnly, apStd},
	{"DeleteAccessPointPolicyForObjectLambda", olap, olapStd},
	{"DeleteBucket", bucketOnly, bucketStd},
	{"DeleteBucketMetadataTableConfiguration", bucketOnly, bucketStd},
	{"DeleteBucketPolicy", bucketOnly, bucketStd},
	{"DeleteBucketWebsite", bucketOnly, bucketStd},
	{"DeleteJobTagging", jobs, keys(tagStd, jobKeys)},
	{"DeleteMultiRegionAccessPoint", mrap, mrapStd},
	{"DeleteObject", objects, keys(objGrant, []string{"s3:if-match"})},
	{"DeleteObjectAnnotation", objects, annoStd},
	{"DeleteObjectTagging", objects, keys(objStd, objTag)},
	{"DeleteObjectVersion", objects, keys(objGrant, versionID)},
	{"DeleteObjectVersionAnnotation", objects, keys(annoStd, versionID)},
	{"DeleteObjectVersionTagging", objects, objVerTag},
	{"DeleteStorageLensConfiguration", lens, tagStd},
	{"DeleteStorageLensConfigurationTagging", lens, tagStd},
	{"DeleteStorageLensGroup", lensGroup, tagStd},
	{"DescribeJob", jobs, tagStd},
	{"DescribeMultiRegionAccessPointOperation",
		[]ResourceType{MultiRegionAccessPointRequest}, stdNoSHA},
	{"DissociateAccessGrantsIdentityCenter", grantsInst, tagStd},
	{"GetAccelerateConfiguration", bucketOnly, bucketStd},
	{"GetAccessGrant", grants, keys(tagStd, grantScpe)},
	{"GetAccessGrantsInstance", grantsInst, tagStd},
	{"GetAccessGrantsInstanceForPrefix", grantsInst, tagStd},
	{"GetAccessGrantsInstanceResourcePolicy", grantsInst, tagStd},
	{"GetAccessGrantsLocation", grantsLoc, keys(tagStd, locScope)},
	{"GetAccessPoint", noResources, apStd},
	{"GetAccessPointConfigurationForObjectLambda", olap, olapStd},
	{"GetAccessPointForObjectLambda", olap, olapStd},
	{"GetAccessPointPolicy", apOnly, apStd},
	{"GetAccessPointPolicyForObjectLambda", olap, olapStd},
	{"GetAccessPointPolicyStatus", apOnly, apStd},
	{"GetAccessPointPolicyStatusForObjectLambda", olap, olapStd},
	{"GetAccountPublicAccessBlock", noResources, std},
	{"GetAnalyticsConfiguration", bucketOnly, bucketStd},
	{"GetBucketAbac", bucketOnly, bucketStd},
	{"GetBucketAcl", bucketOrAP, bucketAP},
	{"GetBucketCORS", bucketOrAP, bucketAP},
	{"GetBucketLocation", bucketOrAP, bucketAP},
	{"GetBucketLogging", bucketOnly, bucketStd},
	{"GetBucketMetadataTableConfiguration", bucketOnly, bucketStd},
	{"GetBucketNotification", bucketOrAP, bucketAP},
	{"GetBucketObjectLockConfiguration", bucketOnly, keys(bucketKeys, stdNoSHA)},
	{"GetBucketOwnershipControls", bucketOnly, bucketStd},
	{"GetBucketPolicy", bucketOrAP, bucketAP},
	{"GetBucketPolicyStatus", bucketOnly, bucketStd},
	{"GetBucketPublicAccessBlock", bucketOnly, bucketStd},
	{"GetBucketRequestPayment", bucketOnly, bucketStd},
	{"GetBucketTagging", bucketOnly, bucketStd},
	{"GetBucketVersioning", bucketOnly, bucketStd},
	{"GetBucketWebsite", bucketOnly, bucketStd},
	{"GetDataAccess", grantsInst, tagStd},
	{"GetEncryptionConfiguration", bucketOnly, bucketStd},
	{"GetIntelligentTieringConfiguration", bucketOnly, bucketStd},
	{"GetInventoryConfiguration", bucketOnly, bucketStd},
	{"GetJobTagging", jobs, tagStd},
	{"GetLifecycleConfiguration", bucketOnly, bucketStd},
	{"GetMetricsConfiguration", bucketOnly, bucketStd},
	{"GetMultiRegionAccessPoint", mrap, mrapStd},
	{"GetMultiRegionAccessPointPolicy", mrap, mrapStd},
	{"GetMultiRegionAccessPointPolicyStatus", mrap, mrapStd},
	{"GetMultiRegionAccessPointRoutes", mrap, mrapStd},
	{"GetObject", objects, objRead},
	{"GetObjectAcl", objects, objRead},
	{"GetObjectAnnotation", objects, keys(objStd, objTag)},
	{"GetObjectAttributes", objects, keys(objStd, objTag)},
	{"GetObjectLegalHold", objects, objStd},
	{"GetObjectRetention", objects, objStd},
	{"GetObjectTagging", objects, keys(objStd, objTag)},
	{"GetObjectTorrent", objectOnly, replStd},
	{"GetObjectVersion", objects, objVer},
	{"GetObjectVersionAcl", objects, objVer},
	{"GetObjectVersionAnnotation", objects, objVerTag},
	{"GetObjectVersionAnnotationForReplication", objectOnly, replStd},
	{"GetObjectVersionAttributes", objects, objVerTag},
	{"GetObjectVersionForReplication", objectOnly, replStd},
	{"GetObjectVersionTagging", objects, objVerTag},
	{"GetObjectVersionTorrent", objectOnly, keys(replStd, versionID)},
	{"GetReplicationConfiguration", bucketOnly, bucketStd},
	{"GetStorageLensConfiguration", lens, tagStd},
	{"GetStorageLensConfigurationTagging", lens, tagStd},
	{"GetStorageLensDashboard", lens, tagStd},
	{"GetStorageLensGroup", lensGroup, tagStd},
	{"InitiateReplication", objectOnly, keys(bucketKeys, []string{"s3:ResourceAccount"})},
	{"ListAccessGrants", grantsInst, tagStd},
	{"ListAccessGrantsInstances", noResources, std},
	{"ListAccessGrantsLocations", grantsInst, tagStd},
	{"ListAccessPoints", noResources, std},
	{"ListAccessPointsForObjectLambda", noResources, std},
	{"ListAllMyBuckets", noResources, std},
	{"ListBucket", bucketOrAP, keys(bucketAP, grantKeys, listKeys)},
	{"ListBucketMultipartUploads", bucketOnly, objGrant},
	{"ListBucketVersions", bucketOrAP, keys(bucketAP, grantKeys, listKeys)},
	{"ListCallerAccessGrants", grantsInst, tagStd},
	{"ListJobs", noResources, std},
	{"ListMultiRegionAccessPoints", noResources, stdNoSHA},
	{"ListMultipartUploadParts", objects, objGrant},
	{"ListObjectAnnotations", objects, keys(objStd, objTag,
		[]string{"s3:annotation-prefix", "s3:max-annotation-results"})},
	{"ListObjectVersionAnnotations", objects, keys(objVerTag,
		[]string{"s3:annotation-prefix", "s3:max-annotation-results"})},
	{"ListStorageLensConfigurations", noResources, std},
	{"ListStorageLensGroups", noResources, std},
	{"ListTagsForResource", taggable, keys(tagKeys, bucketAP)},
	{"ObjectOwnerOverrideToBucketOwner", objectOnly, replStd},
	{"PauseReplication", bucketOnly, keys(bucketStd, []string{"s3:destinationRegion"})},
	{"PutAccelerateConfiguration", bucketOnly, bucketStd},
	{"PutAccessGrantsInstanceResourcePolicy", grantsInst, tagStd},
	{"PutAccessPointConfigurationForObjectLambda", olap, olapStd},
	{"PutAccessPointPolicy", apOnly, apStd},
	{"PutAccessPointPolicyForObjectLambda", olap, olapStd},
	{"PutAccessPointPublicAccessBlock", noResources, nil},
	{"PutAccountPublicAccessBlock", noResources, std},
	{"PutAnalyticsConfiguration", bucketOnly, bucketStd},
	{"PutBucketAbac", bucketOnly, bucketStd},
	{"PutBucketAcl", bucketOnly, keys(bucketStd, aclKeys)},
	{"PutBucketCORS", bucketOnly, bucketStd},
	{"PutBucketLogging", bucketOnly, bucketStd},
	{"PutBucketNotification", bucketOnly, bucketStd},
	{"PutBucketObjectLockConfiguration", bucketOnly, keys(bucketKeys, stdNoSHA)},
	{"PutBucketOwnershipControls", bucketOnly, bucketStd},
	{"PutBucketPolicy", bucketOnly, bucketStd},
	{"PutBucketPublicAccessBlock", bucketOnly, bucketStd},
	{"PutBucketRequestPayment", bucketOnly, bucketStd},
	{"PutBucketTagging", bucketOnly, bucketStd},
	{"PutBucketVersioning", bucketOnly, bucketStd},
	{"PutBucketWebsite", bucketOnly, bucketStd},
	{"PutEncryptionConfiguration", bucketOnly, bucketStd},
	{"PutIntelligentTieringConfiguration", bucketOnly, bucketStd},
	{"PutInventoryConfiguration", bucketOnly, keys(bucketStd,
		[]string{"s3:InventoryAccessibleOptionalFields"})},
	{"PutJobTagging", jobs, keys(tagStd, jobKeys)},
	{"PutLifecycleConfiguration", bucketOnly, bucketStd},
	{"PutMetricsConfiguration", bucketOnly, bucketStd},
	{"PutMultiRegionAccessPointPolicy", mrap, mrapStd},
	{"PutObject", objects, putObject},
	{"PutObjectAcl", objects, keys(objRead, aclKeys, []string{"s3:x-amz-storage-class"})},
	{"PutObjectAnnotation", objects, annoStd},
	{"PutObjectLegalHold", objects, keys(objStd, []string{"s3:object-lock-legal-hold"})},
	{"PutObjectRetention", objects, keys(objStd, lockKeys)},
	{"PutObjectTagging", objects, keys(objStd, objTag,
		[]string{"s3:RequestObjectTag/<key>", "s3:RequestObjectTagKeys"})},
	{"PutObjectVersionAcl", objects, keys(objVer, aclKeys, []string{"s3:x-amz-storage-class"})},
	{"PutObjectVersionAnnotation", objects, keys(annoStd, versionID)},
	{"PutObjectVersionTagging", objects, keys(objVerTag,
		[]string{"s3:RequestObjectTag/<key>", "s3:RequestObjectTagKeys"})},
	{"PutReplicationConfiguration", bucketOnly, keys(bucketStd,
		[]string{"s3:isReplicationPauseRequest"})},
	{"PutStorageLensConfiguration", noResources, keys(newTags, std)},
	{"PutStorageLensConfigurationTagging", lens, tagStd},
	{"ReplicateDelete", objectOnly, replStd},
	{"ReplicateObject", objectOnly, keys(replStd, sseKeys)},
	{"ReplicateObjectAnnotation", objectOnly, replStd},
	{"ReplicateTags", objectOnly, replStd},
	{"RestoreObject", objects, objStd},
	{"SubmitMultiRegionAccessPointRoutes", mrap, mrapStd},
	{"TagResource", taggable, keys(tagKeys, bucketAP)},
	{"UntagResource", taggable, keys(tagKeys, bucketAP)},
	{"UpdateAccessGrantsLocation", grantsLoc, keys(tagStd, locScope)},
	{"UpdateBucketMetadataAnnotationTableConfiguration", bucketOnly, bucketStd},
	{"UpdateBucketMetadataInventoryTableConfiguration", bucketOnly, bucketStd},
	{"UpdateBucketMetadataJournalTableConfiguration", bucketOnly, bucketStd},
	{"UpdateJobPriority", jobs, keys(tagStd, jobKeys, []string{"s3:RequestJobPriority"})},
	{"UpdateJobStatus", jobs, keys(tagStd, jobKeys, []string{"s3:JobSuspendedCause"})},
	{"UpdateObjectEncryption", objects, keys(objStd, objTag, sseKeys[:2])},
	{"UpdateStorageLensGroup", lensGroup, tagStd},
}
