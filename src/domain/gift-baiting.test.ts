// Proves the gift-baiting detector on a table of phrasings — promises in exchange for gifts or
// engagement in every variant the spec names (word order, spacing, case, leetspeak, emoji, fancy
// fonts, slang, a little Spanish and Portuguese) against thanks, chat and hard negatives that share
// their words — with precision and recall printed, and that it never throws and stays fast.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BAITING_SCAN_MAX, detectGiftBaiting, type BaitingKind } from './gift-baiting.js';
import { THANKS_PHRASES } from './thanks.js';

/** PRODUCT.md's three examples of gift-baiting. */
const SPEC_EXAMPLES = ['follow for follow', "Send Gifts and I'll give you a shoutout", "Share this LIVE and I'll follow"];

const BAITING: readonly string[] = [
  ...SPEC_EXAMPLES,
  // Ask, then reward.
  "send a rose and I'll shout you out",
  'if you gift I follow',
  'gift = follow',
  '100 roses and I do a dance',
  "Follow me and I'll follow you back",
  "Drop a like and I'll notice you",
  "Drop a comment and I'll pin you",
  "Comment 'rose' and I'll say your name",
  "Tap the screen and I'll do a backflip",
  '10k likes = face reveal',
  "If this LIVE gets 50 shares I'll sing",
  'every galaxy = 10 push-ups',
  "Send me a Universe and I'll call you",
  'Like + share = shoutout',
  "Hit that follow button and I'll follow you back",
  "Subscribe and I'll subscribe back",
  'You send a galaxy, I reveal my face',
  'The more roses, the more I dance',
  "gift me and I'll follow you",
  'Gift to unlock a dance',
  'Share the live to win a prize',
  'Send 5 roses for a DM',
  'Lions get a video call',
  'rose = follow, galaxy = follow + DM',
  'Send gifts → shoutout',
  'Anyone who shares gets followed back',
  "Send a doughnut and I'll follow",
  'Money Gun = face reveal',
  'Sharing the live gets you a shoutout',
  'Everyone who follows gets a follow back',
  'follow me, I follow back 100%',
  'Send roses and I follow back',
  'Please gift and I will dance for you',
  'Gift 🎁 for follow ✅',
  '🌹 = follow back',
  '🦁 = DM',
  "send 🌹🌹🌹 and I'll sing",
  'ur gift = my follow',
  'Gift for a follow back',
  'follow to get a shoutout',
  "Like the stream and I'll like your posts",
  "Share my live and I'll share yours",
  "Comment below and I'll follow you",
  "Type 1 in chat and I'll follow you",
  "Join my fan club and I'll add you",
  "Repost this and I'll DM you",
  'Send a galaxy to see me dance',
  'Roses make me sing',
  'One rose = one push up',
  'Every like = a shoutout',
  'Spam roses for a follow',
  "Donate and I'll shout you out",
  'Send a rose, get a follow',
  "Send coins and I'll reveal my face",
  "Gift and I'll do 10 squats",
  'Follow + share = follow back',
  'Share this LIVE with 3 friends and get a shoutout',
  "Support the stream with gifts and I'll follow you",
  'Galaxy gets you a follow back',
  '1 gift = 1 follow',
  'Send roses to get noticed',
  'gift and get a follow',
  "follow and I'll follow back, no cap",
  "Don't forget to follow, I follow back!",
  "Help me reach 100 roses and I'll dance",
  'Be the first to send a rose and get a shoutout',
  'Share for a shoutout',
  "follow my page and I'll follow yours",
  "Send one Galaxy and I'll follow you on Instagram",
  // Reward, then what it is for.
  'shoutout to whoever sends a galaxy',
  'first to send a lion gets a follow',
  "I'll follow you back if you follow me",
  'follow back if you gift',
  "I'll shout out anyone who sends a rose",
  'shoutouts for gifts',
  'Gifters get a shoutout',
  'top gifter gets a follow back',
  'Whoever sends the most roses gets a DM',
  "I'll say your name if you send a Heart Me",
  'Want a shoutout? Send a rose!',
  'Who wants a follow back? Share the live!',
  'Imma follow everyone who shares this LIVE',
  "I'm gonna follow back everyone who gifts",
  'gonna give shoutouts to all gifters',
  'I will follow back all gifters',
  'a follow for every rose',
  'follow back for every gift',
  'Shoutout for every Corgi',
  'dance for roses 🌹',
  'Tap tap tap for a shoutout!',
  "I'll do a face reveal at 1000 roses",
  'Everyone who sends a rose gets a shoutout',
  'shoutout if you send gifts',
  'Top 3 gifters get a DM',
  'Whoever gifts the most gets a follow back',
  "Send gifts, I'll shout out every gifter",
  // Reciprocal exchanges and their slang.
  'f4f',
  'sub4sub',
  'L4L 💕',
  's4s anyone?',
  '#followforfollow',
  'Follow 4 follow',
  'follow x follow',
  'F4F?? 🙏🙏',
  'likes for likes',
  'Gift 4 gift',
  '#giftforfollow',
  // Spacing, case, leetspeak, emoji, fancy fonts, repeated letters.
  "SEND GIFTS AND I'LL GIVE YOU A SHOUTOUT",
  "s e n d  g i f t s  and I'll follow",
  'f o l l o w  f o r  f o l l o w',
  'F.O.L.L.O.W me & I’ll follow back',
  'f🌟o🌟l🌟l🌟o🌟w for f🌟o🌟l🌟l🌟o🌟w',
  'f0ll0w f0r f0ll0w',
  "s3nd g1ft5 4nd 1'll sh0ut y0u 0ut",
  "$end gift$ and i'll f0llow",
  'g!fts = sh0utout',
  'foooollow for foooollow',
  "sennnnd giiiifts and i'll folllow baaack",
  'ｆｏｌｌｏｗ ｆｏｒ ｆｏｌｌｏｗ',
  '𝐟𝐨𝐥𝐥𝐨𝐰 𝐟𝐨𝐫 𝐟𝐨𝐥𝐥𝐨𝐰',
  'ꜰᴏʟʟᴏᴡ ꜰᴏʀ ꜰᴏʟʟᴏᴡ',
  'fоllоw fоr fоllоw', // Cyrillic о
  'ⓕⓞⓛⓛⓞⓦ ⓕⓞⓡ ⓕⓞⓛⓛⓞⓦ',
  'f-o-l-l-o-w me, I follow back',
  'fol🌟low 4 fol🌟low',
  'send gifts & ill give u a s/o',
  'send gifts n imma give u a shout out',
  'pls gift, i will follow u back',
  'gift plz and ill dm u',
  'drop roses, ill follow back',
  'follow me n ill follow u bk',
  'Share this LIVE and I’ll follow you back',
  // Spanish and Portuguese.
  'Sígueme y te sigo',
  'Manda rosas y te saludo',
  'Regalos = saludo',
  'Si me mandas un regalo te sigo',
  'Dale like y te sigo',
  'Segue que eu sigo de volta',
  'Manda presente que eu te sigo',
  'Compartilha a live e eu sigo',
  'sigo de volta quem mandar rosas',
  // Three held-out rounds, written after the rules and measured before tuning on them (first pass: precision
  // 1.000 each, recall 0.933, 0.925 and 0.833), then kept here as regression cases.
  "Send me roses and I'll read your name out loud",
  'Whoever drops a galaxy gets a personal shoutout',
  "Gift a lion and I'll follow you forever",
  'Follow me and get a follow back',
  "Like this video and I'll like yours",
  'If you share the LIVE I will DM you',
  "I'll follow everyone who sends a gift tonight",
  'Every rose gets a follow back',
  'Send a Finger Heart for a shoutout',
  "Share the stream and I'll give you a shout out",
  'gift 🎁 = follow back 🔁',
  'followback for every galaxy',
  'first 5 people to send a rose get a DM',
  'I will pin anyone who sends a doughnut',
  "Drop a follow and I'll drop one back",
  "Comment your @ and I'll follow you",
  'sub and I sub back',
  'I do shoutouts for roses',
  'Send gifts for a face reveal',
  'roses = shoutouts 🌹📣',
  "If we reach 500 likes I'll do a dance",
  "Send 10 roses and I'll dm you",
  'Like and follow for a shoutout',
  'follow 4 a follow',
  'Galaxy = DM + follow',
  "tap the heart 100 times and I'll sing",
  "Gift me a rose and I'll follow back",
  'whoever gifts gets a shoutout',
  "I'll shout you out if you send me a galaxy",
  "I'll follow back anyone who shares",
  'Shoutout for every share',
  'share = follow',
  'SEND A ROSE & GET A FOLLOW',
  "sEnD rOsEs AnD i'LL fOlLoW",
  'f*o*l*l*o*w for f*o*l*l*o*w',
  'F O L L O W  M E  &  I  F O L L O W  B A C K',
  'f0ll0w m3 4nd 1 f0ll0w b4ck',
  'sh0ut0ut 4 g1fts',
  'shoutouts 4 gifts',
  "𝓼𝓮𝓷𝓭 𝓰𝓲𝓯𝓽𝓼 𝓪𝓷𝓭 𝓘'𝓵𝓵 𝓯𝓸𝓵𝓵𝓸𝔀",
  'follllow 4 follllow 🙏',
  'Gifters get a follow back ❤️',
  'Anyone who sends a Universe gets a video call',
  "Follow me on TikTok and I'll follow you back",
  'Sígueme y te sigo de vuelta',
  'Regalen rosas y les doy saludo',
  'Me segue que eu sigo de volta',
  'follow for follow back?',
  "Send a heart me and I'll say your name",
  'Each rose = 1 squat',
  'Send gifts to see me do a backflip',
  'Whoever shares this live the most gets a shoutout',
  'Be my top gifter and get a follow back',
  'if u send a gift ill follow u',
  "Send the lion and I'll dance",
  'Drop 3 galaxies and I reveal my face',
  'new here, f4f?',
  'Send a gift, get a shoutout!',
  'u gift i follow',
  'Follow + like = shoutout',
  'Roses 🌹 get you a shoutout',
  'Want me to dance? Send 10 roses',
  "Let's make a deal: you follow, I follow",
  'gifts => follow back',
  "I'll follow the first 10 people who share",
  'shout out to anyone who gifts a rose',
  'Send a rose if you want a shoutout',
  "Go send some roses and I'll do a TikTok dance",
  'Those who gift get a follow back',
  'Gift 1 rose = 1 follow back',
  'Get a follow back when you send a galaxy',
  "Follow me and you'll get a follow back",
  'Sharing this LIVE = instant follow back',
  "I'll sing your favorite song if you send a Corgi",
  'drop a rose for a follow',
  "Spam the like button and I'll follow you",
  "Send Money Guns and I'll shout you out",
  "Whoever sends a Universe, I'll follow them",
  "Follow and like and I'll shout you out",
  'Like for a follow back',
  'Roses for follow backs 🌹',
  'Everyone who gifts gets pinned',
  'Gifters get pinned to the top',
  "Send gifts and you'll get a shoutout",
  "I'm following back anyone who gifts",
  '🌹🌹 = shoutout',
  'Followers get a shoutout tonight',
  'Manda una rosa y te sigo',
  'Comparte el live y te doy follow',
  'Follow 👉 follow back',
  'Gift → I follow',
  'Send roses & I’ll say ur name',
  'Drop gifts and get noticed!',
  'Shoutouts to whoever sends roses',
  "Subscribe to my channel and I'll subscribe to yours",
  's.e.n.d g.i.f.t.s for a shoutout',
  'follow4follow',
  "If you tap the screen 500 times I'll reveal my face",
  "Send 5 roses and I'll follow you back",
  "Give me a follow and I'll give you one back",
  'Shoutout to anyone sending roses',
  'I reward my gifters with a follow',
  '🔫 = face reveal',
  '🔴 LIVE baking night | roses = shoutouts 🌹',
  'Chill stream 🎮 f4f',
  'Q&A + face reveal at 2k roses!',
  "Morning yoga 🧘 share the live and I'll follow back",
  "Hey guys!! Welcome in 💕 if you send a rose I'll shout you out, love you",
  'Gaming till 2am, top gifter gets a DM 😘',
  'Every 10 roses = I eat a spicy chip',
  "If anyone sends a lion I'll do the challenge",
  'drop a galaxy n ill follow back fr',
  "Tap the screen to 10k and I'll show my dog",
  "Share with your friends and you'll get a follow back",
  'New to TikTok LIVE, follow and I follow back 🙏',
  'Roses for follows today only',
  'send gifts pls and ill shout u out on my story',
  'Whoever sends the next galaxy picks my next song',
  'Sub for sub, comment done when you did',
  'Gifts unlock a dance 💃',
  'Send 1 rose = 1 follow back 💯',
  'FOLLOW ME I FOLLOW BACK',
  'Ill follow back everyone who shares this live rn',
  'If u like and share ill dm u',
  "Give the live a share and I'll follow you",
  'Send a rose to join my VIP list',
  "Gift and I'll add you to my close friends",
  'Rose = I say hi to you by name',
  'Send gifts 🎁 = follow back ✅ + DM ✅',
  'Follow me, follow back guaranteed',
  "Tap tap tap and I'll dance",
  'every share gets a shoutout 📣',
  'likes = follows',
];

const NOT_BAITING: readonly string[] = [
  ...THANKS_PHRASES,
  // Thanks after the fact.
  'thank you for the rose!',
  'thanks for following',
  'shoutout to Ana for the galaxy, thank you!',
  'Thank you so much for the galaxy!!',
  'Thanks for the follow!',
  'ty for the roses 🌹',
  'tysm for sharing the live ❤️',
  'We hit 100 followers, thank you!!',
  'thanks for the 100 roses',
  'You all are amazing, thanks for the likes',
  'Shoutout to everyone who sent roses tonight',
  'Big thanks to all my gifters',
  'Shoutout to my top gifter Ana!',
  'Who sent the galaxy? Shoutout to you!',
  'Thank you for every single rose tonight',
  'Thanks to everyone who shared the live',
  'Thank you for the Money Gun, that was wild',
  'Appreciate the galaxy, you are too kind',
  'Gracias por la rosa',
  'Muchas gracias por seguirme',
  'Obrigado pelo presente',
  'Whoever sent the lion, you are a legend',
  'Love you all, thanks for the gifts',
  'Shoutout to @ana for the roses',
  'Big shoutout to Ben for the galaxy!!',
  'Thanks for the share!',
  "It's my birthday, thanks for all the love",
  'Thank you for sharing and following!',
  // Greetings and ordinary chat.
  'Welcome everyone, grab a drink and relax',
  'Hi chat! How is everyone doing?',
  'Good evening from Lisbon',
  'Great stream today, see you tomorrow',
  'Lol you guys are too funny',
  'Let me know what song to play next',
  'Dance challenge starts now!',
  'The first song is a classic',
  'Should I dance or sing next?',
  'Sending good vibes to all of you',
  "I'll be back in 5 minutes",
  "I'll be right back, grab a snack",
  'Give me a second, my camera froze',
  "I'll give it a try",
  "I'd like a coffee",
  "like, I don't even know",
  'Just got a new lion plushie lol',
  'Roses are red, violets are blue',
  'Face reveal? Maybe someday',
  // Hard negatives: the words of a promise, without the exchange.
  'follow the rules',
  "I'll follow up tomorrow",
  'share your screen? no',
  'I love roses',
  'I follow a lot of cooking creators',
  'Like I said, the stream starts at 8',
  "I'd like to thank everyone for coming",
  'Share the love, be kind in chat',
  'Sending love to everyone watching',
  "I'll send you the link after the stream",
  'Follow your dreams',
  'The rose gift is so pretty',
  'I love roses and galaxies',
  "What's your favorite gift?",
  "I'll dance later tonight!",
  "Let's dance!",
  "I'll give a shoutout to my mom, it's her birthday",
  'Shoutout to my mods for keeping chat clean',
  'Rose is my favorite flower',
  "Who's following the game tonight?",
  "I'll follow along with chat",
  'If you like the song, let me know',
  "I'd love it if you shared your thoughts",
  'Be kind and follow the community guidelines',
  "Send me your questions and I'll answer them",
  "I'll shout when the cake is ready",
  "Don't share personal info in chat",
  'Liking the vibe tonight',
  'The lion gift is huge!',
  "I'm going to follow my own advice",
  "I'll give you a tour of my garden",
  "Drop your questions in chat and I'll answer",
  "Say hi and I'll wave",
  'Follow-up stream tomorrow at noon',
  "I'll follow the recipe step by step",
  "I'll share my screen now",
  "I'll sing a song for you all",
  'Do you like roses or galaxies more?',
  'Share your favorite song in the comments',
  'The Universe gift costs 34,999 coins',
  'Coins are on sale this weekend',
  'Please follow the rules in chat',
  "I'll answer questions at the end",
  'Comment your favorite song',
  "If you're new, say hi!",
  'Follow for more cooking tips',
  'Tap the screen if you can hear me',
  'Share this LIVE with a friend who loves cooking',
  'Like and share if you enjoyed',
  'Shoutout to the person who made my overlay',
  'Send me a message if you need help with the app',
  "I'm following the new guidelines from now on",
  'The top gifter leaderboard resets on Monday',
  "I'll pin the rules in chat",
  'Pinned comment has the schedule',
  "I'll add more songs to the playlist",
  "I'll notice if someone is rude",
  'I follow back people I know',
  'Giving back to the community today',
  'Following along with the recipe',
  // Negations and disclaimers.
  'gifts are optional, enjoy the stream',
  "don't feel you have to send anything",
  'no need to send gifts',
  "you don't have to gift to get a shoutout",
  'Gifts are never required here',
  "I don't do follow for follow",
  'No f4f please',
  "I won't give shoutouts for gifts",
  "Don't spam gifts, please",
  "Gift or no gift, you're all welcome here",
  "I'll give shoutouts to everyone at the end, gifts or not",
  'Everyone gets a shoutout, no gifts needed',
  "You don't need to gift to be noticed",
  'Gifting is optional, the stream is free for everyone',
  'Gifts are never expected, just enjoy',
  'No shoutouts for gifts here, sorry',
  'I never follow back for gifts',
  "Please don't send gifts, save your money",
  "You don't have to follow to get a shoutout",
  'Shoutouts are free, no gifts necessary',
  'Gifts help me keep streaming, but never feel pressured',
  // The negatives of the three held-out rounds (no false positive on the first pass), kept as regression cases.
  'Thanks for the lion, you made my night',
  'Thank you for the shoutout earlier!',
  'Thanks everyone for sharing the stream',
  'I appreciate every single one of you',
  'Hello from Brazil!',
  "Who's ready for the quiz?",
  "Let's keep chat friendly",
  "I'll be live again on Friday",
  "Don't forget to drink water",
  'I follow my heart',
  'Share your story in the comments if you want',
  'Like seriously, this cake is amazing',
  'I like your profile picture',
  'The galaxy animation looks so cool',
  'Can someone tell me what the lion gift does?',
  'No gifts needed, just vibes',
  "Please don't feel obligated to gift",
  "Gifts don't get you special treatment here",
  'Everyone is welcome, gifts or no gifts',
  "I'm going to dance now, hope you enjoy",
  'Shoutout to my sister for the new camera',
  'Shoutout to everyone watching from Japan',
  'A big thank you to my top gifters this week',
  'You guys sent so many roses yesterday',
  'I got a galaxy yesterday, I was shocked',
  'Follow the link in my bio for the recipe',
  "I'll send the playlist later",
  'We will follow the storm updates together',
  'Tap twice to zoom in',
  'The first person to answer correctly wins nothing but bragging rights',
  "I'll give you guys an update on the move soon",
  'Share the recipe with your friends',
  "I can't believe how many roses you sent",
  'Gift ideas for my mom? Help',
  "I'll dance if I finish the bread in time",
  "If you like dogs, you'll love my corgi",
  'My corgi is named Galaxy',
  'Sending roses to my grandma today',
  'Thanks for the follows and the roses, love you',
  "Follow along, we're making pasta",
  "It's fine if you don't send anything",
  'Shoutouts happen at the end of every stream',
  "Don't send money to strangers",
  'Comment below what you think',
  'Share if you agree, no pressure',
  "I'll read the comments after the song",
  "I'm not doing follow for follow",
  "We don't do shoutouts for gifts",
  "I'll give my honest opinion",
  "Let's get 100 likes for fun!",
  'Gifts or not, I love having you here',
  "I'll shout out the winner of the quiz",
  "Thank you for the galaxy! I'll follow up with a Q&A",
  "You don't need to follow to join the giveaway",
  'The rose costs 1 coin',
  "I'll pin a comment with the schedule",
  'See you next time, bye!',
  'Stay safe and have fun',
  'Happy Friday, everyone!',
  'Thank you, thank you, thank you!',
  'Thanks for the rose, have a great night!',
  'Thank you for the follow back!',
  "I'll follow back later, busy now",
  'Follow me on Instagram for behind the scenes',
  "Share this LIVE if you think it's helpful",
  "If you send gifts, thank you, but it's not necessary",
  'The winner gets a shoutout at the end of the quiz',
  'Top gifters are shown on the leaderboard',
  'Sending all my love to the gifters tonight',
  "I'll dance to this song",
  'My dog follows me everywhere',
  'Share the screen with me so I can see',
  'You can send a gift from the panel below',
  'How do I send a gift?',
  'The Galaxy gift plays a big animation',
  'Someone sent 100 roses, thank you!',
  "Gifts go to my cat's food fund lol",
  "I'll follow you back if I know you",
  "I'll DM you the details",
  'Thanks for liking my video',
  'Can you share your screen so I can help?',
  'Please like responsibly 😂',
  'Comment if you have questions',
  'You should follow your heart',
  'I dance every Friday',
  'Follow us for more streams like this',
  "I'll call you back in a minute",
  'Galaxy brain moment',
  'I always follow back my friends',
  'Shoutout to the mods who keep this place safe',
  'Shoutout to whoever made this song, it slaps',
  'Thank you to everyone who gifted today',
  'No follow for follow, just good vibes',
  "I'm not going to do shoutouts for gifts anymore",
  "Don't send me gifts to get a follow back",
  'A rose from you means a lot, but never feel you must',
  'We got 1k likes! Thank you all',
  'Like, subscribe? Nah, just chill with me',
  "Shoutout if you're from Canada!",
  'The more the merrier',
  'What does f4f mean?',
  'Is f4f allowed here?',
  'Shoutout to everyone sending roses rn',
  "Send me a rose? I'll follow you anyway, no worries",
  '🔴 LIVE baking night | sourdough from scratch',
  'Chill stream 🎮 come hang out',
  'Q&A: ask me anything about my move to Berlin',
  'Morning yoga 🧘 breathe with me',
  'Hey guys!! Welcome in 💕 so happy to see you',
  'Gaming till 2am, no rage quits tonight',
  "Thank you Ana for the 10 roses, you're amazing",
  'Thanks for the lion, Ben! Insane',
  'Not doing shoutouts tonight, just music',
  'Gifts are appreciated but never expected 🙏',
  "Please don't feel like you need to gift, your company is enough",
  'Rose gifts make the screen so pretty lol',
  "I'll follow your advice and rest tomorrow",
  'Share the recipe with anyone who asks',
  'Following the recipe from my grandma',
  "I'll shout out the birthday people at 9pm",
  "Comment your city and let's see who's here",
  'Tap the screen if the audio cuts out',
  "I'll DM the winner of the quiz",
  'Galaxy gifts are wild, did you see that?',
  "Sending hugs to everyone who's having a rough day",
  'We got our first galaxy today, thank you so much',
  'My follower count is not important, the community is',
  'If you enjoyed, a follow means a lot, thank you',
  'Shoutout to everybody who stayed till the end',
  "I'll be doing a face reveal next week!",
  'You guys are the best, thank you for all the love and support',
  "Follow for follow is against the rules, please don't",
  'Who wants to see my dog?',
  "Say hi in chat if you're new!",
];

function baits(text: string): boolean {
  return detectGiftBaiting(text) !== null;
}

describe('detectGiftBaiting', () => {
  it('tells baiting from thanks and chat over the table: precision ≥ 0.97, recall ≥ 0.95', () => {
    expect(BAITING.length).toBeGreaterThanOrEqual(100);
    expect(NOT_BAITING.length).toBeGreaterThanOrEqual(100);
    const missed = BAITING.filter((t) => !baits(t));
    const wronglyFlagged = NOT_BAITING.filter(baits);
    const truePositives = BAITING.length - missed.length;
    const precision = truePositives / (truePositives + wronglyFlagged.length);
    const recall = truePositives / BAITING.length;
    console.log(
      `gift-baiting detector: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} over ${BAITING.length} positive and ${NOT_BAITING.length} negative phrases`,
    );
    if (missed.length > 0) console.log(`missed: ${JSON.stringify(missed)}`);
    if (wronglyFlagged.length > 0) console.log(`wrongly flagged: ${JSON.stringify(wronglyFlagged)}`);
    expect(precision).toBeGreaterThanOrEqual(0.97);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });

  it("flags PRODUCT.md's three examples and never a suggested thank-you phrase", () => {
    for (const text of SPEC_EXAMPLES) expect(detectGiftBaiting(text), text).not.toBeNull();
    for (const text of THANKS_PHRASES) expect(detectGiftBaiting(text), text).toBeNull();
    expect(detectGiftBaiting('Thank you so much')).toBeNull();
  });

  it('quotes the promise as written: the excerpt is a non-empty substring of the input', () => {
    for (const text of BAITING) {
      const finding = detectGiftBaiting(text);
      if (finding === null) continue;
      expect(finding.excerpt.length, text).toBeGreaterThan(0);
      expect(text, text).toContain(finding.excerpt);
    }
    expect(detectGiftBaiting('Hi all! Send gifts and I’ll give you a shoutout 🌹 Love you')?.excerpt).toBe('Send gifts and I’ll give you a shoutout');
    expect(detectGiftBaiting('f🌟o🌟l🌟l🌟o🌟w me and I follow back')?.excerpt).toBe('f🌟o🌟l🌟l🌟o🌟w me and I follow back');
    expect(detectGiftBaiting('Welcome! f o l l o w  f o r  f o l l o w, ok?')?.excerpt).toBe('f o l l o w  f o r  f o l l o w');
  });

  it('names the kind of promise', () => {
    const cases: [string, BaitingKind][] = [
      ["Send Gifts and I'll give you a shoutout", 'gifts_for_reward'],
      ['shoutout to whoever sends a galaxy', 'gifts_for_reward'],
      ['100 roses and I do a dance', 'gifts_for_reward'],
      ['if you gift I follow', 'gifts_for_reward'],
      ["Share this LIVE and I'll follow", 'engagement_for_reward'],
      ['10k likes = face reveal', 'engagement_for_reward'],
      ["Drop a comment and I'll pin you", 'engagement_for_reward'],
      ['follow for follow', 'follow_for_follow'],
      ['f4f', 'follow_for_follow'],
      ["I'll follow you back if you follow me", 'follow_for_follow'],
      ['sub4sub', 'follow_for_follow'],
    ];
    for (const [text, kind] of cases) expect(detectGiftBaiting(text)?.kind, text).toBe(kind);
  });

  it('says why in one plain sentence and offers the suggested thank-you phrases', () => {
    const kinds = new Set<BaitingKind>();
    for (const text of ["Send Gifts and I'll give you a shoutout", "Share this LIVE and I'll follow", 'follow for follow']) {
      const finding = detectGiftBaiting(text);
      expect(finding).not.toBeNull();
      if (finding === null) continue;
      kinds.add(finding.kind);
      expect(finding.why).toMatch(/^[A-Z].{20,200}\.$/);
      expect(finding.why.split('. ')).toHaveLength(1);
      expect(finding.suggestions).toEqual([...THANKS_PHRASES]);
    }
    expect(kinds.size).toBe(3);
  });

  it('answers null, without throwing, for empty, blank, huge and odd Unicode text', () => {
    const odd = [
      '',
      ' ',
      '\n\t  \r\n',
      '\u200b\u200d\ufe0f',
      '\ud800',
      '\udc00follow for follow\ud800',
      'שלום לכולם, תודה רבה על המתנות',
      'مرحبا بالجميع، شكرا على الهدايا',
      '\u202eollof rof wollof',
      '🌹'.repeat(5_000),
      'a\u0301'.repeat(3_000),
      '@$!|#/=&+:>'.repeat(300),
      '👩‍👩‍👧‍👦'.repeat(1_000),
    ];
    for (const text of odd) expect(() => detectGiftBaiting(text)).not.toThrow();
    for (const text of odd.slice(0, 5)) expect(detectGiftBaiting(text)).toBeNull();
    // A lone surrogate around a promise is a space: the promise is still read, and quoted exactly.
    expect(detectGiftBaiting('\udc00follow for follow\ud800')?.excerpt).toBe('follow for follow');
  });

  it(`reads only the first ${BAITING_SCAN_MAX} characters, so a huge text costs what a short one does`, () => {
    const filler = 'the weather is lovely today and the stream is calm. '.repeat(2_000); // ~100k characters
    const late = `${filler}Send gifts and I'll give you a shoutout`;
    const early = `Send gifts and I'll give you a shoutout ${filler}`;
    const started = performance.now();
    expect(detectGiftBaiting(late)).toBeNull();
    expect(detectGiftBaiting(early)?.kind).toBe('gifts_for_reward');
    expect(detectGiftBaiting('x'.repeat(100_000))).toBeNull();
    expect(detectGiftBaiting('f'.repeat(100_000))).toBeNull();
    expect(detectGiftBaiting('f '.repeat(50_000))).toBeNull();
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('is fast: 10,000 calls on a 200-character message cost < 15× reading the text once (same-run baseline)', () => {
    const message = "Hey everyone 👋 welcome back to the LIVE! Tonight we're baking bread 🍞 — ask me anything in chat, and if you like it, send a rose and I'll give you a shoutout 🌹 thank you so much, love you all!!";
    expect(message.length).toBeGreaterThanOrEqual(190);
    const plain = 'Hey everyone, welcome back to the LIVE! Tonight we are baking sourdough bread from scratch, so ask me anything about flour, water, salt and patience in the chat; I will answer as we go. Great job!!';
    const timeOf = (run: () => void): number => {
      const started = performance.now();
      for (let i = 0; i < 10_000; i++) run();
      return performance.now() - started;
    };
    // The baseline is what any detector must do at least: normalize the text and split it into words.
    const read = (text: string) => () => text.normalize('NFKD').toLowerCase().replace(/\s+/g, ' ').split(' ');
    for (let i = 0; i < 200; i++) {
      detectGiftBaiting(message); // warm up the JIT
      read(message)();
    }
    for (const text of [message, plain]) {
      // The best of three of each, interleaved: a noisy machine slows one run, not every run.
      const rounds = [0, 1, 2].map(() => ({ baseline: timeOf(read(text)), detector: timeOf(() => detectGiftBaiting(text)) }));
      const baselineMs = Math.min(...rounds.map((r) => r.baseline));
      const detectorMs = Math.min(...rounds.map((r) => r.detector));
      console.log(`gift-baiting detector: 10,000 calls on ${text.length} characters in ${detectorMs.toFixed(0)} ms, ${(detectorMs / baselineMs).toFixed(1)}× normalizing and splitting it (${baselineMs.toFixed(0)} ms)`);
      expect(detectorMs / baselineMs).toBeLessThan(15);
    }
  });

  it('never throws on arbitrary strings, and any excerpt is a substring of the input', () => {
    const pieces = fc.constantFrom('follow', 'for', 'f4f', 'send', 'gifts', 'and', "I'll", 'shoutout', '🌹', '=', ' ', '.', '?', '4', 'ｆ', '\u200d', '\ud800', 'thank you', 'no');
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 100 }), fc.array(pieces, { maxLength: 40 }).map((p) => p.join('')));
    fc.assert(
      fc.property(text, (t) => {
        const finding = detectGiftBaiting(t);
        if (finding !== null) expect(t).toContain(finding.excerpt);
      }),
      { numRuns: 2_000 },
    );
  });
});
