/**
 * Every user-facing sentence, in one place so it can move into message
 * files when Korean arrives (issue: Korean and English).
 */
import type { DraftError } from './model/settings.js';

export const strings = {
	appName: 'Moim',
	tagline: 'Find a time that works for everyone — even offline.',
	create: {
		heading: 'New event',
		title: 'Title',
		titlePlaceholder: 'Study group, team dinner…',
		kind: 'Which days?',
		kindDates: 'Specific dates',
		kindWeekdays: 'Days of the week',
		dates: 'Dates',
		weekdays: 'Weekdays',
		from: 'From',
		to: 'To',
		slot: 'Block length',
		minutes: (n: number) => `${n} minutes`,
		tz: 'Time zone',
		submit: 'Create',
		previousMonth: 'Previous month',
		nextMonth: 'Next month',
		selectedCount: (n: number) => (n === 1 ? '1 date selected' : `${n} dates selected`),
		linkProblem: 'The link had a value that could not be used',
		creating: 'Creating…',
		save: 'Save changes',
		editHint: "Nobody's marks are deleted: times outside the new days or window are hidden, and come back if you widen them again."

	},
	errors: {
		'title.required': 'Give the event a title.',
		'title.tooLong': 'The title is too long (100 characters at most).',
		'kind.invalid': 'Choose either dates or weekdays, not both.',
		'dates.required': 'Pick at least one date.',
		'dates.invalid': 'These are not dates (YYYY-MM-DD)',
		'dates.tooMany': 'Pick at most 62 dates.',
		'weekdays.required': 'Pick at least one weekday.',
		'weekdays.invalid': 'Not weekdays (1 = Monday … 7 = Sunday)',
		'time.invalid': 'Not a time of day (HH:MM)',
		'time.order': 'The end must be after the start.',
		'time.alignment': 'Start and end must fall on a block boundary.',
		'slot.invalid': 'Not a block length (15, 30 or 60 minutes)',
		'tz.invalid': 'Not a known time zone'
	} satisfies Record<DraftError, string>,
	home: {
		yourEvents: 'Events on this device',
		notSynced: 'Not synced yet',
		noEvents: 'Events you create or open appear here, and open even without a connection.',
		lastOpened: 'Last opened',
		organizer: 'organizer'
	},
	event: {
		invalidLinkTitle: 'Not a valid event link',
		invalidLinkBody: 'This link does not point to a Moim event. Check that it was copied whole.',
		opening: 'Opening…',
		notFoundTitle: 'No event at this link',
		notFoundBody: 'The relay has no event with this id. It may have been mistyped.',
		notHereTitle: "This event hasn't reached this device yet",
		notHereBody: "It will open as soon as you're online.",
		home: 'Home',
		copyLink: 'Copy link',
		duplicate: 'Duplicate',
		duplicateHint: 'A new event with these settings, for the next meeting',
		share: 'Share…',
		shareText: (title: string) => `When can you make “${title}”? Mark your free times:`,
		qr: 'QR code',
		qrTitle: 'Scan to open this event',
		close: 'Close',
		copied: 'Link copied',
		copyFailed: 'Copy failed — select the address bar instead',
		joinHeading: 'Who are you?',
		joinHint: 'Enter your name to mark when you are free. No account needed.',
		name: 'Name',
		join: 'Join',
		alreadyHere: 'Already on the list? Continue as:',
		locked: 'The organizer has closed this event to new people.',
		bestTimes: 'Best times',
		atLeast: 'At least',
		duration: (minutes: number) =>
			minutes % 60 === 0 ? `${minutes / 60} hour${minutes === 60 ? '' : 's'}` : minutes < 60 ? `${minutes} minutes` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`,
		requiredPeople: 'Must come',
		requiredHint: 'Pick people who must be able to come.',
		noBestTimes: 'No time fits yet. Try a shorter length or fewer required people.',
		summary: (available: number, ifNeeded: number, total: number) =>
			`${available} of ${total} available` + (ifNeeded ? ` · ${ifNeeded} if needed` : ''),
		cannot: "Can't",
		organizerTools: 'Organizer',
		editEvent: 'Edit event',
		settingsSaved: 'Changes saved.',
		closeJoining: 'Closed to new people',
		rename: 'Rename',
		renameTo: (name: string) => `New name for ${name}`,
		save: 'Save',
		remove: (name: string) => `Remove ${name}`,
		confirmRemove: (name: string) => `Really remove ${name} and their answers?`,
		organizerHint: 'Someone forgot their PIN? Reset it here; they can set a new one from a device where they are signed in.',
		resetPin: (name: string) => `Reset ${name}'s PIN`,
		pinReset: (name: string) => `${name}'s PIN was reset.`,
		beenHere: "I've been here before",
		beenHereHint: 'Joined on another device? Pick your name and enter the PIN you set there.',
		whoWereYou: 'Your name',
		pin: 'PIN',
		continue: 'Continue',
		setPin: 'Set a PIN',
		changePin: 'Change PIN',
		pinHint: '4 to 8 digits. With it you can continue as yourself on another device.',
		savePin: 'Save PIN',
		pinSaved: 'PIN saved.',
		pinErrors: {
			'wrong-pin': 'That PIN is not right.',
			locked: (seconds?: number) =>
				`Too many wrong PINs. Try again ${seconds ? `in ${Math.ceil(seconds / 60)} minute${seconds > 60 ? 's' : ''}` : 'later'}.`,
			'no-pin': 'This person has not set a PIN. Ask the organizer, or join anew.',
			offline: 'You are offline: PINs are checked by the relay.',
			'no-secret': 'This device cannot set a PIN for this person.',
			failed: 'That did not work. Try again.',
			format: 'A PIN is 4 to 8 digits.'
		},
		continueAs: (name: string) => `Continue as ${name}`,
		notYou: 'Not you?',
		youAre: (name: string) => `You are ${name}`,
		yourAvailability: 'Your availability',
		groupAvailability: 'Group availability',
		gridLabel: (name: string) => `Your availability, ${name}`,
		heatmapLabel: 'Group availability heatmap',
		undo: 'Undo',
		redo: 'Redo',
		paintHintMouse: 'Drag across the grid to mark when you are free; start on a marked block to erase.',
		paintHintTouch: 'Tap the first block, then the last: everything between is marked. Scroll as usual.',
		paintHintKeys: 'Keys: arrows move, Shift+arrows select, Space marks.',
		rangeStarted: 'Now tap the last block of the range',
		cancel: 'Cancel',
		available: 'Available',
		ifNeeded: 'If needed',
		ifNeededCount: (n: number) => `${n} if needed`,
		brush: 'Mark as',
		brushHint: 'Paint with "Available", or with "If needed" for times that would work in a pinch.',
		notAvailable: 'Not available',
		nobody: 'Nobody',
		members: 'People',
		filterHint: 'Select people to show only their overlap.',
		showEveryone: 'Show everyone',
		hereNow: 'Here now',
		onlyYou: 'Only you',
		countOf: (n: number, total: number) => `${n} of ${total} available`,
		missingTime: 'This time does not exist here (clock change)',
		outsideEvent: 'Not part of this event',
		repeatedTime: (clock: string) => `${clock} (again)`,
		timesIn: 'Times in',
		myTime: (zone: string) => `My time (${zone})`,
		eventTime: (zone: string) => `Event time (${zone})`,
		weeklyZoneNote: (zone: string) => `Times are in the event's time zone, ${zone}: a weekly event has no dates to convert.`,
		hover: 'Point at or focus a block to see who is free.'
	},
	decision: {
		heading: 'Decided',
		weekly: (span: string) => `Every ${span}`,
		downloadIcs: 'Download .ics',
		google: 'Add to Google Calendar',
		copySummary: 'Copy summary',
		summaryCopied: 'Summary copied',
		copyFailed: 'Could not copy; select the text instead.',
		takeBack: 'Take back decision',
		decide: 'Decide on this time',
		decideHere: 'Decide from this block',
		decideFor: 'for',
		loading: 'Preparing calendar links…'
	},
	sync: {
		offline: 'Offline — changes are saved on this device',
		offlineUnsynced: 'Offline — your changes are saved here and will sync when you reconnect',
		connecting: 'Connecting…',
		synced: 'Synced',
		pending: 'Saving to the relay…',
		refused: 'Not syncing — the relay refused this device',
		lastSynced: (time: string) => `Last synced ${time}`,
		details: 'Sync details',
		connection: 'Connection',
		networkOnline: 'Online, connected to the relay',
		networkConnecting: 'Online, connecting to the relay…',
		networkOffline: 'No network connection',
		relayUnreachable: "Online, but the relay can't be reached — retrying",
		lastSyncedLabel: 'Last synced',
		never: 'Not yet',
		changes: 'Changes on this device',
		allOnRelay: 'All on the relay',
		notOnRelay: 'Not on the relay yet — they are saved here and sync when the relay is reachable',
		relayRefused: 'The relay refused the connection'
	},
	refusal: {
		writeTitle: 'The relay refused changes made on this device',
		writeBody:
			"This copy has changes the relay won't accept (they touch someone else's answers or the event's settings), so it no longer syncs. Resetting replaces this device's copy with the relay's; the refused changes are dropped.",
		authTitle: "The relay doesn't recognise this device",
		authBody:
			'This device presented a key the relay does not accept for this event, so nothing syncs. Resetting forgets who you are here and loads the relay’s copy; you can then join again.',
		reset: "Reset to the relay's copy",
		resetting: 'Resetting…'
	},
	storage: {
		unavailable:
			"This browser isn't letting Moim save anything on this device. You can keep going while online — your changes go straight to the relay — but nothing stays here after you close the tab.",
		full: "This device is out of storage space, so your latest changes couldn't be saved here. They are still in this tab and go to the relay while you're online: keep the tab open until it says Synced, or free up some space. Moim keeps retrying.",
		evicted:
			"The browser cleared the copy of this event that was saved on this device. It's loaded again from the relay when you're online.",
		notPersistent:
			'Your browser may clear saved data when the device runs low on space. Anything marked Synced is safe on the relay.',
		dismiss: 'Dismiss'
	},
	theme: {
		label: 'Theme',
		system: 'System',
		light: 'Light',
		dark: 'Dark'
	},
	app: {
		updateReady: 'A new version is ready',
		reload: 'Reload',
		later: 'Later',
		install: 'Install app',
		iosHint: 'To install Moim: tap Share, then “Add to Home Screen”.',
		offlineReady: 'Ready to work offline',
		version: (name: string) => `Version ${name}`
	}
};

/** The sentence for a create-form error; `value` is the offending text from a link. */
export function describeError(code: DraftError, value?: string): string {
	const base = strings.errors[code];
	return value && !base.endsWith('.') ? `${base}: ${value}` : base;
}

/** The sentence for a failed PIN request (see src/lib/sync/pin.ts). */
export function describePinError(error: keyof typeof strings.event.pinErrors, retryAfterSeconds?: number): string {
	const message = strings.event.pinErrors[error];
	return typeof message === 'function' ? message(retryAfterSeconds) : message;
}
